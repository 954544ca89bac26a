-- The retention purge (kto privacy purge, engine/privacy.c): when a
-- closed wave's contact addresses, personal tokens and mail were erased.
-- NULL: not yet.  The purge itself looks at the data, not at this column
-- (it erases what is left every time it runs); purged_at says when the
-- wave first was, for `kto wave show`, the audit and a citizen's export.
ALTER TABLE wave ADD COLUMN purged_at TEXT;
