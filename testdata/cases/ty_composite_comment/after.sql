CREATE TYPE money_amount AS (currency char(3), cents bigint);
COMMENT ON TYPE money_amount IS 'an amount in minor units';
