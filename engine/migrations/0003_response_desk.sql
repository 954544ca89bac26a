-- The desk (balie) of a counter response given through the open link
-- /c/MUNICIPALITY/DESK, as printed on the QR code there; NULL otherwise.
ALTER TABLE response ADD COLUMN desk TEXT CHECK (desk IS NULL OR length(desk) <= 32);
