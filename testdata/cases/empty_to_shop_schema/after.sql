CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');

CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_email_key ON customers (lower(email));

CREATE TABLE products (
    id serial PRIMARY KEY,
    sku varchar(32) NOT NULL UNIQUE,
    title text NOT NULL,
    price numeric(10,2) NOT NULL CHECK (price >= 0),
    attributes jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX products_attributes_idx ON products USING gin (attributes);

CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status order_status NOT NULL DEFAULT 'pending',
    placed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_idx ON orders (customer_id, placed_at DESC);

CREATE TABLE order_items (
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id integer NOT NULL REFERENCES products (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price numeric(10,2) NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

CREATE VIEW order_totals AS
    SELECT o.id AS order_id, o.customer_id, sum(i.quantity * i.unit_price) AS total
    FROM orders o JOIN order_items i ON i.order_id = o.id
    GROUP BY o.id, o.customer_id;

COMMENT ON TABLE orders IS 'One row per checkout';
COMMENT ON COLUMN orders.status IS 'Lifecycle state';
