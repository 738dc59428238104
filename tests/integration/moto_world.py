#!/usr/bin/env python3
"""Builds a test world in a moto server that enforces IAM, for phas's
integration tests, and prints it as JSON on stdout.

The server must run with INITIAL_NO_AUTH_ACTION_COUNT=3: the first three
calls (CreateUser, PutUserPolicy, CreateAccessKey for an admin) are
unauthenticated; everything after is signed and authorized.

World: a launch template, an Auto Scaling group built from it, tagged
phas=managed (the tag deploy/iam-policy.json's SetDesiredCapacity statement
is conditioned on; --untagged leaves it off), metric data for its instances,
and an IAM user `phas` whose only permissions are the policy file given
(deploy/iam-policy.json), plus an access key for it. --scaling-policies adds
a target tracking policy (CPU 50 %) and a predictive one (CPU pair, 40 %,
ForecastAndScale) to the group.

moto names CloudWatch IAM actions `monitoring:*` where real IAM says
`cloudwatch:*` (moto derives the prefix from the SigV4 signing name), so the
policy given to moto grants every cloudwatch:X also as monitoring:X. The
policy file itself keeps the real IAM spelling.

usage: moto_world.py ENDPOINT POLICY_FILE [--asg NAME] [--min N --max N --desired N]
                     [--cpu VALUE] [--untagged] [--scaling-policies]
                     [--dynamodb-table NAME]
"""
import argparse
import datetime
import json
import sys

import boto3

REGION = "us-east-1"


def client(service, endpoint, key=None):
    kw = {}
    if key:
        kw = dict(aws_access_key_id=key["AccessKeyId"],
                  aws_secret_access_key=key["SecretAccessKey"])
    else:
        kw = dict(aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                  aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint, **kw)


def with_moto_spelling(policy):
    """Adds monitoring:X for every cloudwatch:X (moto's spelling), and widens
    DynamoDB statements' Resource to "*": moto authorizes every DynamoDB
    request against the resource "*", which a table ARN never matches."""
    out = json.loads(json.dumps(policy))
    for st in out["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        extra = [a.replace("cloudwatch:", "monitoring:", 1)
                 for a in actions if a.startswith("cloudwatch:")]
        st["Action"] = actions + extra
        if all(a.startswith("dynamodb:") for a in actions):
            st["Resource"] = "*"
    return out


def ensure_table(endpoint, admin, table):
    """The replicas' lease table (docs/ha.md), unless it exists."""
    ddb = client("dynamodb", endpoint, admin)
    if table in ddb.list_tables()["TableNames"]:
        return
    ddb.create_table(TableName=table,
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     BillingMode="PAY_PER_REQUEST")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("endpoint")
    ap.add_argument("policy")
    ap.add_argument("--asg", default="phas-test-asg")
    ap.add_argument("--min", type=int, default=1)
    ap.add_argument("--max", type=int, default=5)
    ap.add_argument("--desired", type=int, default=2)
    ap.add_argument("--cpu", type=float, default=55.0)
    ap.add_argument("--bootstrap", action="store_true",
                    help="create the admin user (the 3 unauthenticated calls)")
    ap.add_argument("--admin-key", help="JSON of an existing admin key")
    ap.add_argument("--untagged", action="store_true",
                    help="no phas=managed tag on the group")
    ap.add_argument("--scaling-policies", action="store_true",
                    help="a target tracking and a predictive policy")
    ap.add_argument("--dynamodb-table",
                    help="create this lease table (pk: S) unless it exists")
    args = ap.parse_args()

    if args.bootstrap:
        iam = client("iam", args.endpoint)
        iam.create_user(UserName="admin")
        iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        admin = iam.create_access_key(UserName="admin")["AccessKey"]
    else:
        admin = json.loads(args.admin_key)

    if args.dynamodb_table:
        ensure_table(args.endpoint, admin, args.dynamodb_table)
    ec2 = client("ec2", args.endpoint, admin)
    ami = ec2.describe_images()["Images"][0]["ImageId"]
    lt_name = args.asg + "-lt"
    ec2.create_launch_template(LaunchTemplateName=lt_name, LaunchTemplateData={
        "ImageId": ami, "InstanceType": "t3.micro"})
    asg = client("autoscaling", args.endpoint, admin)
    asg.create_auto_scaling_group(
        AutoScalingGroupName=args.asg,
        LaunchTemplate={"LaunchTemplateName": lt_name, "Version": "$Latest"},
        MinSize=args.min, MaxSize=args.max, DesiredCapacity=args.desired,
        AvailabilityZones=[REGION + "a"],
        Tags=[] if args.untagged else [{"Key": "phas", "Value": "managed",
                                        "PropagateAtLaunch": False}])
    if args.scaling_policies:
        asg.put_scaling_policy(
            AutoScalingGroupName=args.asg, PolicyName=args.asg + "-cpu50",
            PolicyType="TargetTrackingScaling", EstimatedInstanceWarmup=120,
            TargetTrackingConfiguration={
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": 50.0, "DisableScaleIn": True})
        asg.put_scaling_policy(
            AutoScalingGroupName=args.asg, PolicyName=args.asg + "-predict",
            PolicyType="PredictiveScaling",
            PredictiveScalingConfiguration={
                "MetricSpecifications": [{
                    "TargetValue": 40.0,
                    "PredefinedMetricPairSpecification": {
                        "PredefinedMetricType": "ASGCPUUtilization"}}],
                "Mode": "ForecastAndScale", "SchedulingBufferTime": 600,
                "MaxCapacityBreachBehavior": "IncreaseMaxCapacity",
                "MaxCapacityBuffer": 10})
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[args.asg])["AutoScalingGroups"][0]
    instance_ids = [i["InstanceId"] for i in group["Instances"]]

    cw = client("cloudwatch", args.endpoint, admin)
    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    metrics = {"CPUUtilization": args.cpu, "NetworkIn": 5.0e6, "NetworkOut": 4.0e6,
               "DiskReadBytes": 1.0e5, "DiskWriteBytes": 2.0e5,
               "NetworkPacketsIn": 4000.0, "NetworkPacketsOut": 3500.0}
    for iid in instance_ids:
        data = []
        for minutes_ago in range(1, 6):
            ts = now - datetime.timedelta(minutes=minutes_ago)
            for name, value in metrics.items():
                data.append({"MetricName": name, "Timestamp": ts, "Value": value,
                             "Dimensions": [{"Name": "InstanceId", "Value": iid}]})
        for k in range(0, len(data), 20):
            cw.put_metric_data(Namespace="AWS/EC2", MetricData=data[k:k + 20])

    iam = client("iam", args.endpoint, admin)
    user = "phas-" + args.asg
    iam.create_user(UserName=user)
    policy = json.load(open(args.policy))
    iam.put_user_policy(UserName=user, PolicyName="phas",
                        PolicyDocument=json.dumps(with_moto_spelling(policy)))
    key = iam.create_access_key(UserName=user)["AccessKey"]

    # A role with the same policy, assumable by web identity (EKS IRSA).
    role_arn = iam.create_role(
        RoleName=user + "-role",
        AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                           "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example"}}]}),
    )["Role"]["Arn"]
    iam.put_role_policy(RoleName=user + "-role", PolicyName="phas",
                        PolicyDocument=json.dumps(with_moto_spelling(policy)))

    json.dump({"region": REGION, "asg": args.asg, "instances": instance_ids,
               "admin": {"AccessKeyId": admin["AccessKeyId"],
                         "SecretAccessKey": admin["SecretAccessKey"]},
               "phas": {"AccessKeyId": key["AccessKeyId"],
                        "SecretAccessKey": key["SecretAccessKey"]},
               "role_arn": role_arn,
               "metric_time": now.isoformat()}, sys.stdout)


if __name__ == "__main__":
    main()
