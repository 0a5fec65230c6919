CREATE TYPE priority AS ENUM ('low', 'normal', 'high', 'urgent');
CREATE SEQUENCE invoice_number_seq AS integer START 10000 CACHE 1;
