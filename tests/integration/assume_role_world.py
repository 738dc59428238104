#!/usr/bin/env python3
"""Adds to a moto world (built by moto_world.py) an SRE's laptop identity
and the platform role it assumes, and prints their keys and ARN as JSON:

- IAM user `sre` whose only permission is sts:AssumeRole, with an access key
  (what ~/.aws/credentials holds);
- role `phas-ops` that trusts that user, with the policy file given
  (deploy/iam-policy.json, CloudWatch actions also in moto's `monitoring:`
  spelling, see moto_world.py).

usage: assume_role_world.py ENDPOINT ADMIN_KEY_JSON POLICY_FILE
"""
import json
import sys

import boto3

from moto_world import with_moto_spelling

REGION = "us-east-1"


def main():
    endpoint, admin, policy_file = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    iam = boto3.client("iam", region_name=REGION, endpoint_url=endpoint,
                       aws_access_key_id=admin["AccessKeyId"],
                       aws_secret_access_key=admin["SecretAccessKey"])
    user_arn = iam.create_user(UserName="sre")["User"]["Arn"]
    iam.put_user_policy(UserName="sre", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="sre")["AccessKey"]
    role_arn = iam.create_role(
        RoleName="phas-ops",
        AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": user_arn}}]}),
    )["Role"]["Arn"]
    policy = json.load(open(policy_file))
    iam.put_role_policy(RoleName="phas-ops", PolicyName="phas",
                        PolicyDocument=json.dumps(with_moto_spelling(policy)))
    json.dump({"sre": {"AccessKeyId": key["AccessKeyId"],
                       "SecretAccessKey": key["SecretAccessKey"]},
               "role_arn": role_arn}, sys.stdout)


if __name__ == "__main__":
    main()
