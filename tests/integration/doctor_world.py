#!/usr/bin/env python3
"""Adds to a moto world (built by moto_world.py) what `phas doctor --config`
checks, and prints the instance ids as JSON:

- group FAST (already built by moto_world.py): CPUUtilization every minute
  for the last 15 minutes (detailed monitoring) and the CloudWatch agent's
  CWAgent/mem_used_percent per InstanceId;
- group SLOW (created here, 2 instances, not tagged phas=managed):
  CPUUtilization every 5 minutes (basic monitoring: what CloudWatch keeps
  for such instances), no memory, and a warm pool (moto lists no instance
  in it, and no scaling activity).

PutMetricData goes uncompressed: boto3 gzips large PutMetricData bodies,
which moto 5.2.1 cannot read.

usage: doctor_world.py ENDPOINT ADMIN_KEY_JSON FAST SLOW
"""
import datetime
import json
import sys

import boto3
from botocore.config import Config

REGION = "us-east-1"


def main():
    endpoint, admin, fast, slow = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
    kw = dict(region_name=REGION, endpoint_url=endpoint,
              aws_access_key_id=admin["AccessKeyId"],
              aws_secret_access_key=admin["SecretAccessKey"],
              config=Config(disable_request_compression=True))
    ec2 = boto3.client("ec2", **kw)
    asg = boto3.client("autoscaling", **kw)
    cw = boto3.client("cloudwatch", **kw)

    ami = ec2.describe_images()["Images"][0]["ImageId"]
    ec2.create_launch_template(LaunchTemplateName=slow + "-lt", LaunchTemplateData={
        "ImageId": ami, "InstanceType": "t3.micro", "Monitoring": {"Enabled": False}})
    asg.create_auto_scaling_group(
        AutoScalingGroupName=slow,
        LaunchTemplate={"LaunchTemplateName": slow + "-lt", "Version": "$Latest"},
        MinSize=1, MaxSize=4, DesiredCapacity=2, AvailabilityZones=[REGION + "a"])
    asg.put_warm_pool(AutoScalingGroupName=slow, MinSize=1, PoolState="Stopped")

    def ids(name):
        g = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
        return [i["InstanceId"] for i in g["Instances"]]

    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)

    def put(namespace, name, iid, minutes_ago):
        data = [{"MetricName": name, "Timestamp": now - datetime.timedelta(minutes=m),
                 "Value": 40.0, "Dimensions": [{"Name": "InstanceId", "Value": iid}]}
                for m in minutes_ago]
        cw.put_metric_data(Namespace=namespace, MetricData=data)

    for iid in ids(fast):
        put("AWS/EC2", "CPUUtilization", iid, range(6, 16))  # moto_world.py: 1..5
        put("CWAgent", "mem_used_percent", iid, range(1, 16))
    for iid in ids(slow):
        put("AWS/EC2", "CPUUtilization", iid, [2, 7, 12])
    # The fast group's ALB target group (doctor_moto_test.cc's kLabel).
    cw.put_metric_data(Namespace="AWS/ApplicationELB", MetricData=[
        {"MetricName": "RequestCount", "Timestamp": now - datetime.timedelta(minutes=m),
         "Value": 1200.0, "Dimensions": [
             {"Name": "LoadBalancer", "Value": "app/web/50dc6c49"},
             {"Name": "TargetGroup", "Value": "targetgroup/fast-tg/73e2d6bc"}]}
        for m in range(1, 16)])

    json.dump({"fast": ids(fast), "slow": ids(slow)}, sys.stdout)


if __name__ == "__main__":
    main()
