/** A node of a twin's tree, as the API answers it. */
export interface TreeNode {
  path: string;
  component: {
    partNumber: string;
    serialNumber?: string;
    softwareVersion?: string;
    revision?: string;
  } | null;
  children: TreeNode[];
}

/** The node at `path` of a twin's tree, if there is one. */
export function nodeAt(twin: { configuration: TreeNode[] }, path: string): TreeNode | undefined {
  const stack = [...twin.configuration];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.path === path) return node;
    stack.push(...node.children);
  }
  return undefined;
}
