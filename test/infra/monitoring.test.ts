import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TwinthreadStack } from '../../infra/stack';
import { BUSINESS_METRICS, METRICS_NAMESPACE, REQUEST_METRICS } from '../../shared/observability/metrics';
import { FUNCTION_NAMES } from '../../shared/routes';
import { type Resources, SYNTH_TIMEOUT } from '../support/template';

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

describe('monitoring: alarms, their topic, the dashboard, traces', () => {
  let template: Template;
  let alarms: Resources;

  beforeAll(() => {
    // Prepare
    const stack = new TwinthreadStack(new App(), 'Twinthread');
    // Act
    template = Template.fromStack(stack);
    alarms = template.findResources('AWS::CloudWatch::Alarm') as Resources;
  }, SYNTH_TIMEOUT);

  const alarmNamed = (name: string) =>
    Object.values(alarms).find((alarm) => alarm.Properties.AlarmName === `twinthread-${name}`);

  it('alarms on every function: 5xx rate, p99 latency, throttles, Lambda errors, concurrency', () => {
    for (const name of FUNCTION_NAMES) {
      const id = pascal(name);
      // Assess
      const rate = alarmNamed(`${id}ServerErrorRate`);
      expect(rate, `${id}ServerErrorRate`).toBeDefined();
      const metrics = rate!.Properties.Metrics as { Id: string; MetricStat?: { Metric: unknown } }[];
      expect(metrics.map((metric) => metric.MetricStat?.Metric).filter(Boolean)).toEqual(
        expect.arrayContaining([
          {
            Namespace: METRICS_NAMESPACE,
            MetricName: REQUEST_METRICS.requests,
            Dimensions: [
              { Name: 'function', Value: name },
              { Name: 'service', Value: 'twinthread' },
            ],
          },
          {
            Namespace: METRICS_NAMESPACE,
            MetricName: REQUEST_METRICS.serverErrors,
            Dimensions: [
              { Name: 'function', Value: name },
              { Name: 'service', Value: 'twinthread' },
            ],
          },
        ]),
      );
      expect(alarmNamed(`${id}LatencyP99`)!.Properties).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        MetricName: REQUEST_METRICS.latency,
        ExtendedStatistic: 'p99',
        EvaluationPeriods: 3,
      });
      expect(alarmNamed(`${id}Throttles`)!.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
      });
      expect(alarmNamed(`${id}Errors`)!.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
      });
      expect(alarmNamed(`${id}Concurrency`)!.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'ConcurrentExecutions',
      });
    }
  });

  it('alarms on DynamoDB system errors and throttles, the event pipe’s dead letters, failed exports, API 5xx', () => {
    // Assess
    const system = alarmNamed('TableSystemErrors')!.Properties.Metrics as {
      MetricStat?: { Metric: { MetricName: string } };
    }[];
    expect(system.some((metric) => metric.MetricStat?.Metric.MetricName === 'SystemErrors')).toBe(true);
    const throttled = alarmNamed('TableThrottledRequests')!.Properties.Metrics as {
      MetricStat?: { Metric: { MetricName: string } };
    }[];
    expect(throttled.some((metric) => metric.MetricStat?.Metric.MetricName === 'ThrottledRequests')).toBe(
      true,
    );
    expect(alarmNamed('EventPipeDeadLetters')!.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [expect.stringMatching(/^EventPipeDeadLetters/), 'QueueName'] },
        },
      ],
    });
    expect(alarmNamed('TenantExportJobsFailed')!.Properties).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: BUSINESS_METRICS.exportJobsFailed,
      Dimensions: [
        { Name: 'function', Value: 'exchange' },
        { Name: 'service', Value: 'twinthread' },
      ],
    });
    expect(alarmNamed('ApiServerErrors')!.Properties).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
    });
  });

  it('sends every alarm and its recovery to one encrypted topic, with an optional e-mail subscription', () => {
    // Prepare
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    // Assess
    expect(topics).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topics[0] }]);
    }
    template.hasParameter('AlarmEmail', { Type: 'String', Default: '' });
    template.hasResource('AWS::SNS::Subscription', {
      Condition: Match.stringLikeRegexp('HasAlarmEmail'),
      Properties: { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' }, TopicArn: { Ref: topics[0] } },
    });
  });

  it('draws one dashboard and counts requests and 5xx per tenant with Contributor Insights', () => {
    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const rules = Object.values(template.findResources('AWS::CloudWatch::InsightRule') as Resources);
    expect(rules.map((rule) => rule.Properties.RuleName).sort()).toEqual([
      'twinthread-TenantRequests',
      'twinthread-TenantServerErrors',
    ]);
    expect(JSON.stringify(rules[0]!.Properties.RuleBody)).toContain('$.tenant');
  });

  it('traces every function with X-Ray (active tracing)', () => {
    // Prepare
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources).filter(
      (fn) => String(fn.Properties.Description).startsWith('twinthread '),
    );
    // Assess
    expect(functions).toHaveLength(FUNCTION_NAMES.length);
    for (const fn of functions) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
  });
});
