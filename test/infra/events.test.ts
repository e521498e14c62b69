import { marshall } from '@aws-sdk/util-dynamodb';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_BUS_NAME, EVENT_SOURCE, TwinthreadStack } from '../../infra/stack';
import { eventItem } from '../../shared/store/events';
import { ENTITY } from '../../shared/store/items';
import { asArray, flatten, type Resources, type Statement, SYNTH_TIMEOUT } from '../support/template';

const onlyId = (template: Template, type: string): string => {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

/** A DynamoDB stream record of a new item, as the pipe receives it. */
const insertRecord = (item: Record<string, unknown>) => ({
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  dynamodb: {
    Keys: marshall({ PK: item.PK, SK: item.SK }),
    NewImage: marshall(item, { removeUndefinedValues: true }),
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

const at = (record: unknown, path: string): unknown =>
  path
    .replace(/^\$\./, '')
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], record);

/** EventBridge's filter semantics for the patterns used here: every leaf array lists the allowed values. */
const matches = (pattern: unknown, record: unknown): boolean =>
  Array.isArray(pattern)
    ? pattern.includes(record)
    : Object.entries(pattern as Record<string, unknown>).every(([key, inner]) =>
        matches(inner, (record as Record<string, unknown> | undefined)?.[key]),
      );

/** The pipe's input transformation: quoted placeholders take strings, bare ones take JSON values. */
const transform = (template: string, record: unknown): unknown =>
  JSON.parse(
    template
      .replace(/"<(\$[^>]+)>"/g, (_match, path: string) => JSON.stringify(String(at(record, path))))
      .replace(/<(\$[^>]+)>/g, (_match, path: string) => JSON.stringify(at(record, path))),
  );

describe('the change feed on EventBridge', () => {
  let app: App;
  let template: Template;
  let pipe: Record<string, unknown>;
  const tenant = 'acme';

  beforeAll(() => {
    // Prepare
    app = new App();
    const stack = new TwinthreadStack(app, 'Twinthread');
    // Act
    template = Template.fromStack(stack);
    pipe = Object.values(template.findResources('AWS::Pipes::Pipe') as Resources)[0]!.Properties;
  }, SYNTH_TIMEOUT);

  it('has the twinthread-events bus, with an archive of its events for replay', () => {
    // Assess
    const busId = onlyId(template, 'AWS::Events::EventBus');
    template.hasResourceProperties('AWS::Events::EventBus', { Name: EVENT_BUS_NAME });
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      EventPattern: { source: [EVENT_SOURCE] },
      RetentionDays: Match.anyValue(),
    });
    template.hasOutput('EventBusName', {});
  });

  it('pipes the table stream to the bus, with its own role and a dead-letter queue', () => {
    // Prepare
    const tableId = onlyId(template, 'AWS::DynamoDB::Table');
    const busId = onlyId(template, 'AWS::Events::EventBus');
    const queueId = onlyId(template, 'AWS::SQS::Queue');
    const roleId = Object.keys(
      template.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [Match.objectLike({ Principal: { Service: 'pipes.amazonaws.com' } })],
          },
        },
      }),
    );
    // Assess
    expect(roleId).toHaveLength(1);
    expect(flatten(pipe.Source)).toBe(`<${tableId}.StreamArn>`);
    expect(flatten(pipe.Target)).toBe(`<${busId}.Arn>`);
    expect(flatten(pipe.RoleArn)).toBe(`<${roleId[0]}.Arn>`);
    expect(pipe.SourceParameters).toMatchObject({
      DynamoDBStreamParameters: {
        StartingPosition: 'LATEST',
        MaximumRetryAttempts: expect.any(Number),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('lets the pipe read the stream, put on the bus and park failures, nothing more', () => {
    // Prepare
    const tableId = onlyId(template, 'AWS::DynamoDB::Table');
    const busId = onlyId(template, 'AWS::Events::EventBus');
    const queueId = onlyId(template, 'AWS::SQS::Queue');
    const roleId = flatten(pipe.RoleArn).replace(/^<|\.Arn>$/g, '');
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter((policy) =>
      asArray(policy.Properties.Roles).some((role) => flatten(role) === `<${roleId}>`),
    );
    // Act
    const granted = policies
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .flatMap((statement) =>
        asArray(statement.Action).flatMap((action) =>
          asArray(statement.Resource).map((resource) => `${action} ${flatten(resource)}`),
        ),
      );
    // Assess
    expect(granted.sort()).toEqual(
      [
        `dynamodb:DescribeStream <${tableId}.StreamArn>`,
        `dynamodb:GetRecords <${tableId}.StreamArn>`,
        `dynamodb:GetShardIterator <${tableId}.StreamArn>`,
        `dynamodb:ListStreams <${tableId}.StreamArn>`,
        `events:PutEvents <${busId}.Arn>`,
        `sqs:SendMessage <${queueId}.Arn>`,
      ].sort(),
    );
  });

  it('forwards the insert of each event item, and nothing else of the table', () => {
    // Prepare
    const pattern = JSON.parse(
      (pipe.SourceParameters as { FilterCriteria: { Filters: { Pattern: string }[] } }).FilterCriteria
        .Filters[0]!.Pattern,
    );
    const event = eventItem(tenant, {
      type: 'change-set.recorded',
      twinId: '01JD3Q6Z8V1K9M2N3P4R5S6T7V',
      recordedAt: '2026-03-01T00:00:00.000Z',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
    });
    const twin = { PK: 'TENANT#acme#TWIN#1', SK: 'META', entity: ENTITY.twin, type: 'aircraft' };
    // Act, Assess
    expect(matches(pattern, insertRecord(event))).toBe(true);
    expect(matches(pattern, { ...insertRecord(event), eventName: 'MODIFY' })).toBe(false);
    expect(matches(pattern, { ...insertRecord(event), eventName: 'REMOVE' })).toBe(false);
    expect(matches(pattern, insertRecord(twin))).toBe(false);
  });

  it('puts detail {tenant, type, id, event} with detail-type the event type and source twinthread', () => {
    // Prepare
    const target = pipe.TargetParameters as {
      InputTemplate: string;
      EventBridgeEventBusParameters: { Source: string; DetailType: string };
    };
    const event = eventItem(tenant, {
      type: 'inspection.recorded',
      twinId: '01JD3Q6Z8V1K9M2N3P4R5S6T7V',
      recordedAt: '2026-03-01T00:00:00.000Z',
      discrepancies: 2,
    });
    const record = insertRecord(event);
    // Act
    const detail = transform(target.InputTemplate, record);
    // Assess
    expect(target.EventBridgeEventBusParameters.Source).toBe(EVENT_SOURCE);
    expect(at(record, target.EventBridgeEventBusParameters.DetailType)).toBe('inspection.recorded');
    expect(detail).toEqual({
      tenant,
      type: 'inspection.recorded',
      id: event.id,
      event: record.dynamodb.NewImage,
    });
  });

  it('leaves cdk-nag nothing to report', () => {
    // Prepare
    const checks = new AwsSolutionsChecks();
    Validations.of(app).addPlugins(checks);
    // Act
    const report = checks.validateScope(app);
    // Assess
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`,
      ),
    );
    expect(findings).toEqual([]);
  });
});
