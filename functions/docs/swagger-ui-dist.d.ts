declare module 'swagger-ui-dist/absolute-path' {
  /** The folder holding swagger-ui-dist's files (deployed: the folder of the bundle, where they are copied). */
  const getAbsoluteFSPath: () => string;
  export default getAbsoluteFSPath;
}
