#!/usr/bin/env python3
"""Seeds a moto world (built by moto_world.py) with 14 days of per-minute
CloudWatch history for two groups, as `phas history`, `phas backtest --asg`
and `phas tune --asg` read it, and prints what was seeded as JSON:

- group CPU (created here, 1..12 instances): AWS/EC2 CPUUtilization per
  AutoScalingGroupName, one aggregated datapoint a minute (SampleCount = the
  instances that reported, Sum = their CPU summed), a daily cycle; no
  AWS/AutoScaling group metrics (collection off). Minutes 3000..3029 ago are
  missing (a 30-minute gap).
- group ALB (created here): AWS/ApplicationELB RequestCount of its target
  group (Sum a minute, a daily cycle), AWS/AutoScaling
  GroupInServiceInstances, and the group's CPU (20 % idle, plus 50 % at
  6000 requests per instance a minute).

Each group has an AWS target tracking policy on its signal (CPU at 50 %,
3000 requests per target). The instances in service follow the load (what a
scaler would keep). PutMetricData goes uncompressed: boto3 gzips large PutMetricData
bodies, which moto 5.2.1 cannot read.

usage: history_world.py ENDPOINT ADMIN_KEY_JSON CPU_GROUP ALB_GROUP TG_LABEL
"""
import datetime
import json
import math
import sys

import boto3
from botocore.config import Config

REGION = "us-east-1"
MINUTES = 14 * 24 * 60
GAP = range(3000, 3030)


def main():
    endpoint, admin = sys.argv[1], json.loads(sys.argv[2])
    cpu_group, alb_group, label = sys.argv[3], sys.argv[4], sys.argv[5]
    kw = dict(region_name=REGION, endpoint_url=endpoint,
              aws_access_key_id=admin["AccessKeyId"],
              aws_secret_access_key=admin["SecretAccessKey"],
              config=Config(disable_request_compression=True))
    ec2 = boto3.client("ec2", **kw)
    asg = boto3.client("autoscaling", **kw)
    cw = boto3.client("cloudwatch", **kw)

    ami = ec2.describe_images()["Images"][0]["ImageId"]
    ec2.create_launch_template(LaunchTemplateName="history-lt", LaunchTemplateData={
        "ImageId": ami, "InstanceType": "t3.micro"})
    for name in (cpu_group, alb_group):
        asg.create_auto_scaling_group(
            AutoScalingGroupName=name,
            LaunchTemplate={"LaunchTemplateName": "history-lt", "Version": "$Latest"},
            MinSize=1, MaxSize=12, DesiredCapacity=2, AvailabilityZones=[REGION + "a"])

    lb, tg = label.split("/targetgroup/")
    # What each group runs today: AWS target tracking on its signal.
    asg.put_scaling_policy(
        AutoScalingGroupName=cpu_group, PolicyName="cpu-50", PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
            "TargetValue": 50.0})
    asg.put_scaling_policy(
        AutoScalingGroupName=alb_group, PolicyName="requests-3000",
        PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget",
                                              "ResourceLabel": label},
            "TargetValue": 3000.0})

    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    tg = "targetgroup/" + tg

    def daily(m, base, amp):
        """A daily cycle, minutes ago m (peak at mid-day)."""
        return base + amp * math.sin(2 * math.pi * ((MINUTES - m) % 1440) / 1440)

    cpu_data, alb_data, seeded = [], [], {"cpu": {}, "alb": {}}
    for m in range(1, MINUTES + 1):
        t = now - datetime.timedelta(minutes=m)
        ts = int(t.timestamp())
        if m not in GAP:
            load = daily(m, 300, 200)          # CPU %, summed over instances
            n = max(1, math.ceil(load / 60))
            cpu_data.append({"MetricName": "CPUUtilization", "Timestamp": t,
                             "Dimensions": [{"Name": "AutoScalingGroupName", "Value": cpu_group}],
                             "StatisticValues": {"SampleCount": n, "Sum": load,
                                                 "Minimum": load / n, "Maximum": load / n}})
            seeded["cpu"][ts] = [load, n]
        req = daily(m, 12000, 8000)            # requests a minute
        n = max(1, math.ceil(req / 3600))
        cpu = 20 + 50 * req / n / 6000
        dims = [{"Name": "AutoScalingGroupName", "Value": alb_group}]
        alb_data += [
            {"MetricName": "RequestCount", "Timestamp": t, "Value": req,
             "Dimensions": [{"Name": "LoadBalancer", "Value": lb},
                            {"Name": "TargetGroup", "Value": tg}]},
            {"MetricName": "GroupInServiceInstances", "Timestamp": t, "Value": n,
             "Dimensions": dims},
            {"MetricName": "CPUUtilization", "Timestamp": t, "Value": cpu,
             "Dimensions": dims}]
        seeded["alb"][ts] = [req, n, cpu]

    def put(namespace_of, data):
        for i in range(0, len(data), 1000):
            batch = data[i:i + 1000]
            for ns in sorted({namespace_of(d) for d in batch}):
                cw.put_metric_data(Namespace=ns,
                                   MetricData=[d for d in batch if namespace_of(d) == ns])

    ns = {"RequestCount": "AWS/ApplicationELB", "GroupInServiceInstances": "AWS/AutoScaling",
          "CPUUtilization": "AWS/EC2"}
    put(lambda d: ns[d["MetricName"]], cpu_data + alb_data)
    json.dump({"now": int(now.timestamp()), "gap": [GAP.start, GAP.stop],
               "seeded": seeded}, sys.stdout)


if __name__ == "__main__":
    main()
