#!/usr/bin/env python3
"""Adds to a moto world (groups built by moto_world.py) the identity a
platform account's phas runs as and the roles its groups name, and prints
their keys and ARNs as JSON:

- IAM user `platform` whose only permission is sts:AssumeRole (with a key);
- role `phas-scale`: trusts `platform` with ExternalId ext-42, holds the
  policy file given (deploy/iam-policy.json);
- role `phas-readonly`: trusts `platform`, the policy without
  autoscaling:SetDesiredCapacity;
- role `phas-locked`: holds the policy but trusts only the admin.

usage: group_role_world.py ENDPOINT ADMIN_KEY_JSON POLICY_FILE
"""
import json
import sys

import boto3

from moto_world import with_moto_spelling

REGION = "us-east-1"


def trust(principal, external_id=None):
    st = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": principal}}
    if external_id:
        st["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def without(policy, action):
    out = json.loads(json.dumps(policy))
    for st in out["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        st["Action"] = [a for a in actions if a != action]
    out["Statement"] = [st for st in out["Statement"] if st["Action"]]
    return out


def main():
    endpoint, admin, policy_file = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    iam = boto3.client("iam", region_name=REGION, endpoint_url=endpoint,
                       aws_access_key_id=admin["AccessKeyId"],
                       aws_secret_access_key=admin["SecretAccessKey"])
    admin_arn = iam.get_user(UserName="admin")["User"]["Arn"]
    platform_arn = iam.create_user(UserName="platform")["User"]["Arn"]
    iam.put_user_policy(UserName="platform", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="platform")["AccessKey"]
    policy = json.load(open(policy_file))
    roles = {
        "phas-scale": (trust(platform_arn, "ext-42"), policy),
        "phas-readonly": (trust(platform_arn),
                          without(policy, "autoscaling:SetDesiredCapacity")),
        "phas-locked": (trust(admin_arn), policy),
    }
    arns = {}
    for name, (trust_doc, role_policy) in roles.items():
        arns[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_doc)["Role"]["Arn"]
        iam.put_role_policy(RoleName=name, PolicyName="phas",
                            PolicyDocument=json.dumps(with_moto_spelling(role_policy)))
    json.dump({"platform": {"AccessKeyId": key["AccessKeyId"],
                            "SecretAccessKey": key["SecretAccessKey"]},
               "roles": arns}, sys.stdout)


if __name__ == "__main__":
    main()
