import { STSClient } from '@aws-sdk/client-sts';

export interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  Tags: { Key: string; Value: string }[];
}

/**
 * STS cannot run locally: a client whose AssumeRole answers at once, recording what was asked
 * (the tests of tenant-scoped credentials and their benchmark).
 */
export function fakeSts(asked: AssumeRoleInput[]): STSClient {
  const sts = new STSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'fn', secretAccessKey: 'fn' },
  });
  sts.middlewareStack.add(
    () => async (args) => {
      const input = args.input as AssumeRoleInput;
      asked.push(input);
      const tenant = input.Tags.find((tag) => tag.Key === 'tenant')!.Value;
      return {
        output: {
          $metadata: {},
          Credentials: {
            AccessKeyId: `key-${tenant}-${asked.length}`,
            SecretAccessKey: 'secret',
            SessionToken: 'token',
            Expiration: new Date(Date.now() + 3600_000),
          },
        },
        response: {},
      } as never;
    },
    { step: 'initialize', name: 'fakeAssumeRole' },
  );
  return sts;
}
