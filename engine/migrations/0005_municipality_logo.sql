-- The municipality's logo for the top of its questionnaire pages: a PNG
-- file of at most 200 kB (kto checks the format), served from /logo/CODE.
-- NULL: none.
ALTER TABLE municipality ADD COLUMN logo_png BLOB;
