#!/usr/bin/env python3
"""moto_server with the Auto Scaling calls phas makes that moto 5.2.1 lacks,
answered from recorded AWS responses (testdata/aws/), so the integration
tests run the scaler's whole read of a group's controls against one server
that enforces SigV4 and IAM.

  DescribeInstanceRefreshes  moto raises NotImplementedError (a 500 HTML
                             page). Here, after moto's own authentication
                             and IAM check of autoscaling:DescribeInstance-
                             Refreshes, the answer is the file
                             $PHAS_MOTO_RECORDED/DescribeInstanceRefreshes/<group>.xml
                             (<group>.<NextToken>.xml for a next page) when
                             a test put one there, else
                             testdata/aws/describe_instance_refreshes_none.xml
                             (no refresh).

  DescribeScalingActivities  moto answers none at all. Here, after moto's
                             own checks, the file $PHAS_MOTO_RECORDED/
                             DescribeScalingActivities/<group>.xml when a
                             test put one there (a warm pool's launches),
                             else moto's own answer.

Everything else is moto's. Arguments are moto_server's (-H HOST -p PORT).
"""
import os
import sys

from moto.autoscaling.responses import AutoScalingResponse
from moto.server import main

HERE = os.path.dirname(os.path.abspath(__file__))
NONE = os.path.join(HERE, "..", "..", "testdata", "aws",
                    "describe_instance_refreshes_none.xml")


def recorded(action, group, token):
    root = os.environ.get("PHAS_MOTO_RECORDED", "")
    if root:
        name = group + ("." + token if token else "") + ".xml"
        path = os.path.join(root, action, name)
        if os.path.exists(path):
            return open(path).read()
    return None


def describe_instance_refreshes(self):
    body = recorded("DescribeInstanceRefreshes",
                    self._get_param("AutoScalingGroupName") or "",
                    self._get_param("NextToken") or "")
    return body if body is not None else open(NONE).read()


AutoScalingResponse.describe_instance_refreshes = describe_instance_refreshes

_moto_describe_scaling_activities = \
    AutoScalingResponse.describe_scaling_activities


def describe_scaling_activities(self):
    own = _moto_describe_scaling_activities(self)
    body = recorded("DescribeScalingActivities",
                    self._get_param("AutoScalingGroupName") or "",
                    self._get_param("NextToken") or "")
    return body if body is not None else own


AutoScalingResponse.describe_scaling_activities = describe_scaling_activities

if __name__ == "__main__":
    sys.exit(main())
