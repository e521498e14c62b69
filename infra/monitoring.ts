import { CfnCondition, CfnParameter, Duration, Fn, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  CfnInsightRule,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Operation, Table } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type CfnSubscription, Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUSINESS_METRICS, METRICS_NAMESPACE, REQUEST_METRICS } from '../shared/observability/metrics';
import type { FunctionName } from '../shared/routes';

/** When an alarm fires (docs/operations.md says what each means and what to do). */
export const ALARM_THRESHOLDS = {
  /** Percent of a function's requests answered 5xx, over 5 minutes (at least 10 requests). */
  serverErrorPercent: 5,
  /** p99 of a function's request latency, milliseconds, three 5-minute periods in a row. */
  latencyP99Ms: 3000,
  /** Concurrent executions of one function (the default account quota is 1,000 for all). */
  concurrency: 500,
} as const;

/** The DynamoDB operations the functions send (system errors and throttles are watched for each). */
const TABLE_OPERATIONS = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'TransactGetItems',
] as Operation[];

export interface MonitoringProps {
  readonly functions: ReadonlyMap<FunctionName, NodejsFunction>;
  readonly table: Table;
  /** The change-feed pipe's dead-letter queue. */
  readonly eventPipeDeadLetters: Queue;
  readonly api: HttpApi;
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms, one dashboard and per-tenant Contributor Insights rules of the stack. Every alarm notifies
 * one SNS topic; the `AlarmEmail` parameter subscribes an address to it (none when empty).
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const email = new CfnParameter(stack, 'AlarmEmail', {
      type: 'String',
      description: 'E-mail address the alarms notify (confirm the subscription mail); empty: none',
      default: '',
    });
    // CloudWatch may publish to an encrypted topic only with a key whose policy lets it
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'twinthread: encrypts the alarm topic',
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'twinthread alarms',
      masterKey: key,
      enforceSSL: true,
    });
    const subscription = new Subscription(this, 'AlarmEmailSubscription', {
      topic: this.topic,
      protocol: SubscriptionProtocol.EMAIL,
      endpoint: email.valueAsString,
    });
    (subscription.node.defaultChild as CfnSubscription).cfnOptions.condition = new CfnCondition(
      this,
      'HasAlarmEmail',
      { expression: Fn.conditionNot(Fn.conditionEquals(email.valueAsString, '')) },
    );
    const action = new SnsAction(this.topic);
    // per-function alarms are named <Function><Kind>; the runbook has one section per kind
    const functionPrefix = new RegExp(`^(${[...props.functions.keys()].map(pascal).join('|')})(?=[A-Z])`);
    const alarm = (alarmId: string, description: string, metric: IMetric, threshold: number, periods = 1) => {
      const created = new Alarm(this, alarmId, {
        alarmName: `twinthread-${alarmId}`,
        alarmDescription: `${description} Runbook: docs/operations.md#${alarmId.replace(functionPrefix, '').toLowerCase()}`,
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    const requestMetric = (name: string, fn: FunctionName, statistic = 'Sum') =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: 'twinthread', function: fn },
        statistic,
        period: FIVE_MINUTES,
      });

    const requests: IMetric[] = [];
    const serverErrors: IMetric[] = [];
    const latencies: IMetric[] = [];
    const lambdaHealth: IMetric[] = [];
    for (const [name, fn] of props.functions) {
      const id = pascal(name);
      const serverErrorRate = new MathExpression({
        expression: 'IF(requests >= 10, 100 * errors / requests, 0)',
        usingMetrics: {
          requests: requestMetric(REQUEST_METRICS.requests, name),
          errors: requestMetric(REQUEST_METRICS.serverErrors, name),
        },
        label: `${name} 5xx %`,
        period: FIVE_MINUTES,
      });
      alarm(
        `${id}ServerErrorRate`,
        `More than ${ALARM_THRESHOLDS.serverErrorPercent}% of the ${name} function's requests answered 5xx in 5 minutes.`,
        serverErrorRate,
        ALARM_THRESHOLDS.serverErrorPercent,
      );
      const p99 = requestMetric(REQUEST_METRICS.latency, name, 'p99');
      alarm(
        `${id}LatencyP99`,
        `p99 latency of the ${name} function's requests above ${ALARM_THRESHOLDS.latencyP99Ms} ms for 15 minutes.`,
        p99,
        ALARM_THRESHOLDS.latencyP99Ms,
        3,
      );
      alarm(
        `${id}Throttles`,
        `Lambda throttled invocations of the ${name} function.`,
        fn.metricThrottles({ period: FIVE_MINUTES }),
        1,
      );
      alarm(
        `${id}Errors`,
        `Invocations of the ${name} function that failed (crash, timeout, out of memory), not answered 5xx.`,
        fn.metricErrors({ period: FIVE_MINUTES }),
        1,
      );
      const concurrency = fn.metric('ConcurrentExecutions', { statistic: 'Maximum', period: FIVE_MINUTES });
      alarm(
        `${id}Concurrency`,
        `The ${name} function ran ${ALARM_THRESHOLDS.concurrency} or more instances at once.`,
        concurrency,
        ALARM_THRESHOLDS.concurrency,
      );
      requests.push(requestMetric(REQUEST_METRICS.requests, name));
      serverErrors.push(requestMetric(REQUEST_METRICS.serverErrors, name));
      latencies.push(p99);
      lambdaHealth.push(
        fn.metricErrors({ period: FIVE_MINUTES }),
        fn.metricThrottles({ period: FIVE_MINUTES }),
      );
    }

    const systemErrors = props.table.metricSystemErrorsForOperations({
      operations: TABLE_OPERATIONS,
      period: FIVE_MINUTES,
    });
    alarm('TableSystemErrors', 'DynamoDB answered requests with a system error (HTTP 500).', systemErrors, 1);
    const throttled = props.table.metricThrottledRequestsForOperations({
      operations: TABLE_OPERATIONS,
      period: FIVE_MINUTES,
    });
    alarm('TableThrottledRequests', 'DynamoDB throttled requests to the table.', throttled, 1);
    const deadLetters = props.eventPipeDeadLetters.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: FIVE_MINUTES,
    });
    alarm(
      'EventPipeDeadLetters',
      'Change-feed events the pipe could not put on the event bus are parked in its dead-letter queue.',
      deadLetters,
      1,
    );
    const failedExports = requestMetric(BUSINESS_METRICS.exportJobsFailed, 'exchange');
    alarm('TenantExportJobsFailed', 'A tenant export job ended failed.', failedExports, 1);
    const apiServerErrors = props.api.metricServerError({ period: FIVE_MINUTES });
    alarm(
      'ApiServerErrors',
      'API Gateway answered 5xx without a function answer (integration failure, throttled function).',
      apiServerErrors,
      10,
    );

    // Per tenant without a metric per tenant: Contributor Insights over the EMF lines' `tenant` property
    const logGroupNames = [...props.functions.values()].map((fn) => fn.logGroup.logGroupName);
    const tenantRule = (ruleId: string, filter: string) =>
      new CfnInsightRule(this, ruleId, {
        ruleName: `twinthread-${ruleId}`,
        ruleState: 'ENABLED',
        ruleBody: stack.toJsonString({
          Schema: { Name: 'CloudWatchLogRule', Version: 1 },
          LogGroupNames: logGroupNames,
          LogFormat: 'JSON',
          Contribution: { Keys: ['$.tenant'], Filters: [{ Match: `$.${filter}`, EqualTo: 1 }] },
          AggregateOn: 'Count',
        }),
      });
    tenantRule('TenantRequests', REQUEST_METRICS.requests);
    tenantRule('TenantServerErrors', REQUEST_METRICS.serverErrors);

    const business = Object.values(BUSINESS_METRICS).map(
      (name) =>
        new MathExpression({
          expression: `SEARCH('{${METRICS_NAMESPACE},service,function} MetricName="${name}"', 'Sum', 300)`,
          label: name,
          period: FIVE_MINUTES,
        }),
    );
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: 'twinthread' });
    dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# twinthread\nAlarms and what to do: docs/operations.md. Per tenant: Contributor Insights rules twinthread-TenantRequests and twinthread-TenantServerErrors.',
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Requests (left) and 5xx (right) by function',
        left: requests,
        right: serverErrors,
        width: 12,
      }),
      new GraphWidget({ title: 'p99 latency by function (ms)', left: latencies, width: 12 }),
    );
    dashboard.addWidgets(
      new GraphWidget({ title: 'Lambda errors and throttles', left: lambdaHealth, width: 12 }),
      new GraphWidget({
        title: 'Lambda concurrency',
        left: [...props.functions.values()].map((fn) =>
          fn.metric('ConcurrentExecutions', { statistic: 'Maximum', period: FIVE_MINUTES }),
        ),
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({ title: 'DynamoDB system errors', left: [systemErrors], width: 6 }),
      new GraphWidget({ title: 'DynamoDB throttled requests', left: [throttled], width: 6 }),
      new GraphWidget({
        title: 'Event pipe dead letters, failed exports',
        left: [deadLetters, failedExports],
        width: 6,
      }),
      new GraphWidget({ title: 'Business counters', left: business, width: 6 }),
    );
  }
}
