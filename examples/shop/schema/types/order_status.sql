-- The life cycle of an order.
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');
