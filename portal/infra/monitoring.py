"""Alarms, to one SNS topic (an e-mail subscription when ``AlarmEmail`` is given).

=========================  ====================================================  ===========
alarm                      metric                                                fires at
=========================  ====================================================  ===========
``Api5xxRate``             API Gateway ``5XXError`` (average = share of answers)  > 5 % over
                                                                                  2 × 5 min
``LambdaErrors``           Lambda ``Errors`` of the function                     ≥ 5 in 5 min
``LambdaThrottles``        Lambda ``Throttles``                                  ≥ 1 in 5 min
``DynamoThrottles``        read + write throttle events of the table and each     ≥ 1 in 5 min
                           index (one metric-math sum)
=========================  ====================================================  ===========

CloudFront's own 5xx rate is published only in us-east-1 (global metrics), so the API's
rate is watched here at API Gateway, in the stack's region. Missing data is "not
breaching": a quiet night is not an alarm.
"""

from __future__ import annotations

from portal.infra.cfn import Json, ref, sub
from portal.store.tables import MAIN

PERIOD_S = 300


def _alarm(description: str, **properties: object) -> Json:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "AlarmActions": [ref("AlarmTopic")],
            "OKActions": [ref("AlarmTopic")],
            "TreatMissingData": "notBreaching",
            **properties,
        },
    }


def _function_alarm(metric: str, threshold: int, description: str) -> Json:
    return _alarm(
        description,
        Namespace="AWS/Lambda", MetricName=metric, Statistic="Sum",
        Dimensions=[{"Name": "FunctionName", "Value": sub("${ProjectName}-${Stage}")}],
        Period=PERIOD_S, EvaluationPeriods=1, Threshold=threshold,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )  # fmt: skip


def _throttle_metrics() -> list[Json]:
    table = {"Name": "TableName", "Value": sub(f"portal-${{Stage}}-{MAIN.suffix}")}
    dims: list[list[Json]] = [[table]] + [
        [table, {"Name": "GlobalSecondaryIndexName", "Value": g.name}] for g in MAIN.gsis
    ]
    metrics: list[Json] = []
    for kind in ("ReadThrottleEvents", "WriteThrottleEvents"):
        for d in dims:
            metrics.append({
                "Id": f"m{len(metrics)}",
                "ReturnData": False,
                "MetricStat": {"Metric": {"Namespace": "AWS/DynamoDB", "MetricName": kind,
                                          "Dimensions": d},
                               "Period": PERIOD_S, "Stat": "Sum"},
            })  # fmt: skip
    total = "+".join(f"FILL({m['Id']}, 0)" for m in metrics)
    return [*metrics, {"Id": "throttles", "Expression": total, "ReturnData": True,
                       "Label": "throttle events (table and indexes)"}]  # fmt: skip


def resources() -> dict[str, Json]:
    return {
        "AlarmTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": sub("${ProjectName}-${Stage}-alarms")},
        },
        "AlarmEmailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": "HasAlarmEmail",
            "Properties": {"TopicArn": ref("AlarmTopic"), "Protocol": "email",
                           "Endpoint": ref("AlarmEmail")},
        },
        "Api5xxRate": _alarm(
            "More than 5% of API answers are 5xx (API Gateway, 2 x 5 minutes)",
            Namespace="AWS/ApiGateway", MetricName="5XXError", Statistic="Average",
            Dimensions=[{"Name": "ApiName", "Value": sub("${ProjectName}-${Stage}")}],
            Period=PERIOD_S, EvaluationPeriods=2, Threshold=0.05,
            ComparisonOperator="GreaterThanThreshold",
        ),
        "LambdaErrors": _function_alarm("Errors", 5, "The function failed 5 times in 5 minutes"),
        "LambdaThrottles": _function_alarm("Throttles", 1, "The function was throttled"),
        "DynamoThrottles": _alarm(
            "DynamoDB throttled the table or an index",
            Metrics=_throttle_metrics(), EvaluationPeriods=1, Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        ),
    }  # fmt: skip

