/*
** CSV: a streaming reader for files people export from spreadsheets (the
** contacts import, DESIGN.md section 5) and a field writer for the files
** kto exports (HARDENING.md C1-C4, C7, C9).
**
** The reader reads through a fixed 64 KiB buffer and keeps one record at a
** time, so its memory is bounded by the limits whatever the size of the
** file.  What it accepts:
**
**   - RFC 4180: fields separated by the delimiter, records by line breaks;
**     a field that starts with a double quote runs to the matching quote
**     and may contain delimiters, line breaks and doubled quotes ("").
**   - CRLF, LF and a bare CR all end a line, and give identical records;
**     a line break inside a quoted field is returned as a single "\n",
**     whichever form the file used.  The last record needs no line break.
**   - A UTF-8 byte-order mark at the very start is skipped.
**   - Empty lines are skipped: they are not records (so they take no record
**     number) but they do count as lines.  A line holding only "" is a
**     record with one empty field.
**   - Whitespace is data: nothing is trimmed.
**   - Leniencies, as Excel and Python's csv module have them: a quote in
**     the middle of an unquoted field is taken literally (ab"c), and text
**     after a closing quote is appended to the field ("ab"c gives abc).
**
** What it refuses, fatally (KTO_EINPUT): bytes that are not well-formed
** UTF-8 (typically a file saved as Windows-1252), a NUL byte, and a quoted
** field still open at the end of the input.  The message gives the line and
** column (column in characters, from 1) or, for the open quote, the line
** where the quote was opened.
**
** Limits (struct kto_csv_limits) are per record and are not fatal: a record
** that breaks one is read to its end without being kept, reported as
** KTO_ELIMIT with a message, and reading can go on with the next record.
** The rest of the record is still checked, so an invalid byte or an open
** quote inside it gives KTO_EINPUT instead.
**
** kto_csv_field() writes one field the other way round, quoted when needed
** and defused against formula injection.
*/
#ifndef KTO_BASE_CSV_H
#define KTO_BASE_CSV_H

#include <stdio.h>

#include "base/buf.h"
#include "base/status.h"

/* One CSV input being read, record by record. */
struct kto_csv_reader;

/*
** Ceilings for one record.  Sizes are bytes of field content after
** unquoting (the quotes and delimiters themselves do not count).
*/
struct kto_csv_limits {
	size_t max_field;       /* bytes in one field */
	size_t max_fields;      /* fields in one record */
	size_t max_record;      /* bytes in all the fields of one record */
};

#define KTO_CSV_LIMITS_DEFAULT { 4096, 64, 65536 }

/* The largest value a limit may have. */
#define KTO_CSV_LIMIT_MAX ((size_t)1 << 30)

/*
** Creates a reader of in.
**
**   in         the input, read from its current position; not owned: the
**              caller closes it, after kto_csv_reader_free()
**   delimiter  the field separator, any ASCII character but '"', CR, LF and
**              NUL; 0 detects it from the first record (the header): the
**              most frequent of ';' ',' and tab outside quotes, ties going
**              in that order, ',' when there is none of them
**   lim        the limits; NULL for KTO_CSV_LIMITS_DEFAULT.  Each must be
**              between 1 and KTO_CSV_LIMIT_MAX.
**   out        OUT: the reader, freed with kto_csv_reader_free()
**
** Nothing is read yet.  KTO_EINPUT for a bad delimiter or limit, KTO_ENOMEM;
** *out is NULL on any error.
*/
enum kto_rc kto_csv_reader_new(FILE *in, char delimiter,
                               const struct kto_csv_limits *lim,
                               struct kto_csv_reader **out);

/* Frees the reader and the last record; NULL is allowed.  in stays open. */
void kto_csv_reader_free(struct kto_csv_reader *r);

/*
** Reads the next record.
**
**   fields  OUT: the record's n fields as NUL-terminated strings, followed
**           by a NULL pointer; owned by the reader, and valid (and
**           writable) until the next call or kto_csv_reader_free()
**   n       OUT: the number of fields, at least 1
**
** Returns
**   KTO_OK         a record, of valid UTF-8 without NUL bytes, within limits
**   KTO_ENOTFOUND  the end of the input (and again on later calls)
**   KTO_ELIMIT     the record broke a limit and was skipped to its end;
**                  kto_csv_error() says which; the next call goes on with
**                  the next record
**   KTO_EINPUT     the input is not usable CSV from here: invalid UTF-8, a
**                  NUL byte, or a quote not closed before the end
**   KTO_EIO        reading failed (the message has the system's reason)
**   KTO_ENOMEM     out of memory
** EINPUT, EIO and ENOMEM are final: later calls return the same code.
** Whenever the return is not KTO_OK, *fields is NULL and *n is 0.
*/
enum kto_rc kto_csv_next(struct kto_csv_reader *r, char ***fields, size_t *n);

/*
** What went wrong on the last kto_csv_next(), with where: "line 3, column
** 7: invalid UTF-8 ..." or "record 5 (line 9): field 2 is longer than ...".
** Never empty after an error; "" after KTO_OK and KTO_ENOTFOUND.  Valid
** until the next call on r.
*/
const char *kto_csv_error(const struct kto_csv_reader *r);

/*
** Where that error was, for callers that keep positions apart from the
** message (struct kto_diag): *line 1-based, *col 1-based in characters, or
** 0 when the error is about a whole record (a limit, or an I/O error) or a
** line (an open quote).  Both 0 when the last call had no error.
*/
void kto_csv_error_pos(const struct kto_csv_reader *r, size_t *line,
                       size_t *col);

/*
** Number of the last record returned, skipped for a limit, or refused for
** bad input; 1-based, the header being record 1, so that it is the row a
** spreadsheet shows (as long as the file has no empty lines, which are not
** records).  0 before the first record.
*/
size_t kto_csv_record_number(const struct kto_csv_reader *r);

/* Physical line where that record started, 1-based; 0 before the first. */
size_t kto_csv_line(const struct kto_csv_reader *r);

/*
** The delimiter in use: the one given, or the detected one once the first
** kto_csv_next() has returned (0 before that when detection was asked).
*/
char kto_csv_delimiter(const struct kto_csv_reader *r);

/* Bytes of the input consumed so far, for a progress display. */
unsigned long long kto_csv_bytes(const struct kto_csv_reader *r);

/*
** Appends s as one CSV field to out, without a delimiter or line break
** around it (the caller writes those).
**
** Against CSV formula injection (HARDENING C9): text that starts with
** = + - @ a tab or a CR would be taken for a formula by a spreadsheet, so
** it gets a single quote ' in front, which spreadsheets show as text.
** Then the field is quoted per RFC 4180, doubling inner quotes, when it
** contains the delimiter, a double quote, CR or LF.  Use this for text;
** numbers, which may well start with '-', are written plainly by the
** caller.  s NULL is written as an empty field.
**
** KTO_ELIMIT or KTO_ENOMEM from out leave it as it was; KTO_EINPUT for a
** delimiter kto_csv_reader_new() would refuse (0 included).
*/
enum kto_rc kto_csv_field(struct kto_buf *out, const char *s, char delimiter);

#endif
