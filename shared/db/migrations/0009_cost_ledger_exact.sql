-- Ledger amounts kept exact: a 1 ms invocation at 128 MB costs 0.000125 GB-s x 0.0000133334 USD, which needs
-- more than 12 decimal places; unconstrained numeric keeps every digit of quantity x unit price.
ALTER TABLE cost_requests
    ALTER COLUMN lambda_usd TYPE numeric,
    ALTER COLUMN gateway_usd TYPE numeric,
    ALTER COLUMN s3_usd TYPE numeric,
    ALTER COLUMN twilio_usd TYPE numeric,
    ALTER COLUMN twilio_actual_usd TYPE numeric,
    ALTER COLUMN direct_usd TYPE numeric;
