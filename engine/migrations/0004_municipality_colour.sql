-- The municipality's house colour, '#RRGGBB', for the band at the top of
-- its questionnaire pages; white text on it must stay readable (kto
-- refuses colours with less than 4.5:1 contrast to white).  NULL: none.
ALTER TABLE municipality ADD COLUMN colour TEXT;
