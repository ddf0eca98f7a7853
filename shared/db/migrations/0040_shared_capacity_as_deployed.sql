-- Fixed capacity as the CDK app deploys it (BENCHMARKS.md, "Monthly floor"): no NAT gateway in either profile
-- (a dual-stack VPC reaches AWS over IPv6 through a free egress-only gateway); production keeps one Secrets
-- Manager interface endpoint in two zones, which RDS Proxy and the rotation function reach over IPv4.
DELETE FROM shared_capacity;
INSERT INTO shared_capacity (profile, component, quantity, reason) VALUES
    ('production', 'aurora.acu-hour',    0.5, 'Aurora Serverless v2 minimum capacity (0.5 ACU); a proxy keeps it from pausing'),
    ('production', 'rds-proxy.acu-hour', 8,   'RDS Proxy on Serverless v2 is billed at its 8-ACU minimum'),
    ('production', 'vpc-endpoint.hour',  2,   'the Secrets Manager interface endpoint in two availability zones'),
    ('lean',       'aurora.acu-hour',    0,   'Aurora pauses at 0 ACU when idle; capacity while active is not metered here');
