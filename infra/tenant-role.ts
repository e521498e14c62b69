import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ArnPrincipal, type IRole, PolicyStatement, Role, SessionTagsPrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { FunctionName } from '../shared/routes';
import { keys } from '../shared/store/keys';
import { SCOPE_TAGS } from '../shared/store/scoped-credentials';
import { INDEXES } from '../shared/store/table';
import type { FunctionAccess } from './access';

/** The session tag a scoped session carries, as an IAM policy variable. */
const tag = (key: string) => `\${aws:PrincipalTag/${key}}`;

/**
 * The tenants a scoped session may touch: its `tenant` tag and, for the sharing function's grant
 * writes only, its `peer` tag (sessions always carry both: peer = tenant unless a grant is written).
 */
export const scopedTenants = (name: FunctionName) =>
  name === 'sharing' ? [tag(SCOPE_TAGS.tenant), tag(SCOPE_TAGS.peer)] : [tag(SCOPE_TAGS.tenant)];

/**
 * `dynamodb:LeadingKeys` patterns of a function's scoped sessions: `TENANT#<tenant>#*`; the twins
 * function also the scheduler's list (a baseline policy is written with its entry there, and the
 * scheduled job runs in the system scope, shared/services/scheduled-baselines.ts).
 */
export const leadingKeysOf = (name: FunctionName) => [
  ...scopedTenants(name).map((t) => `TENANT#${t}#*`),
  ...(name === 'twins' ? [keys.schedulePartition] : []),
];

/** Object key pattern of a scoped session: `tenants/<tenant>/*` (grant writes, with a peer, touch no object). */
export const TENANT_OBJECT_PREFIX = `tenants/${tag(SCOPE_TAGS.tenant)}/*`;

export interface TenantScopedRoleProps {
  /** The function (route table name) whose data access this role carries. */
  readonly functionName: FunctionName;
  /** The function's own role: the only principal that may assume this one. */
  readonly functionRole: IRole;
  /** What the function may do (infra/access.ts); granted here, never on the function's role. */
  readonly access: FunctionAccess;
  readonly table: ITable;
  readonly bucket: IBucket;
}

/**
 * Tenant isolation that holds even if the code has a bug (the SaaS reference architectures'
 * pattern): a function's table and bucket actions are granted only to this role, and only on the
 * keys of the tenant its session is tagged with. The function assumes it once per tenant (cached
 * per container: shared/store/scoped-credentials.ts) with the tenant of the verified token as a
 * session tag; item actions hold only where `dynamodb:LeadingKeys` is `TENANT#<tenant>#*` (the
 * table's and every index's partition keys start so: shared/store/keys.ts), objects only under
 * `tenants/<tenant>/`.
 */
export class TenantScopedRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: TenantScopedRoleProps) {
    super(scope, id);
    const { functionName, functionRole, access, table, bucket } = props;
    this.role = new Role(this, 'Role', {
      assumedBy: new SessionTagsPrincipal(new ArnPrincipal(functionRole.roleArn)),
      description: `twinthread ${functionName} function, scoped to one tenant by its session tags`,
    });
    functionRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [this.role.roleArn] }),
    );
    const onTenantKeys = {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeysOf(functionName) },
      // ForAllValues holds for a request without keys: require them
      Null: { 'dynamodb:LeadingKeys': 'false' },
    };
    if (access.table.length > 0)
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [...access.table],
          resources: [table.tableArn],
          conditions: onTenantKeys,
        }),
      );
    if (access.indexes.length > 0)
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: access.indexes.map((index) => `${table.tableArn}/index/${INDEXES[index].name}`),
          conditions: onTenantKeys,
        }),
      );
    if (access.bucket.length > 0) {
      const prefixes = [TENANT_OBJECT_PREFIX];
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [...access.bucket],
          resources: prefixes.map((prefix) => bucket.arnForObjects(prefix)),
        }),
      );
      const bucketId = Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnElement);
      for (const prefix of prefixes)
        Validations.of(this.role).acknowledge({
          // cdk-nag writes the policy variable ${x} as <x>
          id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix.replace(/\$\{([^}]+)\}/g, '<$1>')}]`,
          reason:
            'Objects are tenants/<tenant>/documents/<id>/<version> and tenants/<tenant>/exports/<job>.ndjson with ids made at run time; the session tag pins the tenant.',
        });
    }
  }
}
