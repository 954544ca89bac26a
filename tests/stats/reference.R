# Reference values of `kto stats estimate`, computed with R's survey package.
#
# Usage: Rscript reference.R [OUTFILE]   (default: reference.json beside
# this script; runs from any directory).
#
# Each case is one kto command line and the JSON array kto must print for
# it.  The numbers come from svydesign / svymean / svyciprop on the data
# as kto reads it (the CSV files beside this script), with kto's policy
# where R needs telling (STATISTICS.md, DESIGN.md section 6):
#
#   design   svydesign(id = ~1, strata = <interaction of the strata
#            columns>, fpc = ~N, weights = ~W), lonely.psu = "adjust".
#            Note: R's strata = ~a + b would mean stage-wise strata, of which
#            a one-stage design uses only a; kto's --strata a,b is the
#            interaction, so the reference passes the combined column.
#   domain   (by == g) & !is.na(value); rows with an empty by field are in
#            no group but stay in the design.  Groups in byte order of the
#            by values as strings.
#   mean     svymean on design[domain, ]; CI est +- qt(1 - a/2, df) * se
#            with df = degf(design[domain, ]); null when df < 1.
#   prop     svyciprop(method, level) on design[domain, ]; when every
#            value in the domain is 0 (or every value is 1) kto reports a
#            Clopper-Pearson-type bound instead: [0, 1 - (a/2)^(1/n)]
#            (or [(a/2)^(1/n), 1]), se 0, method "clopper-pearson".
#   n = 0    estimate, se, ci and df null.
#
# Rerun after changing the data (make_data.R) or the cases below; run.sh
# checks that a fresh run still gives the committed reference.json.

args <- commandArgs(trailingOnly = TRUE)
script_dir <- function() {
	f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
	if (length(f) == 1) dirname(normalizePath(f)) else getwd()
}
here <- script_dir()
outfile <- if (length(args) >= 1) args[1] else file.path(here, "reference.json")

suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
invisible(Sys.setlocale("LC_COLLATE", "C"))

## ------------------------------------------------------------ reading CSV

# Every field as the text in the file (quotes removed); "" stays "".
read_raw <- function(file) {
	path <- file.path(here, file)
	head <- readLines(path, n = 1)
	sep <- if (lengths(regmatches(head, gregexpr(";", head))) >
	           lengths(regmatches(head, gregexpr(",", head)))) ";" else ","
	d <- read.table(path, sep = sep, header = TRUE, quote = "\"",
	                colClasses = "character", na.strings = character(0),
	                check.names = FALSE, comment.char = "",
	                strip.white = FALSE)
	attr(d, "dec") <- if (sep == ";") "," else "."
	d
}

# A numeric column: empty field = NA; anything else must be a number.
num <- function(d, col) {
	x <- d[[col]]
	if (is.null(x)) stop("no column ", col)
	x[x == ""] <- NA
	if (attr(d, "dec") == ",") x <- chartr(",", ".", x)
	v <- suppressWarnings(as.numeric(x))
	if (any(is.na(v) & !is.na(x))) stop("column ", col, ": not a number")
	v
}

data_cache <- list()
data_of <- function(file, rows = NULL) {
	if (is.null(data_cache[[file]])) data_cache[[file]] <<- read_raw(file)
	d <- data_cache[[file]]
	if (!is.null(rows)) {
		dec <- attr(d, "dec")
		d <- d[rows, , drop = FALSE]
		attr(d, "dec") <- dec
	}
	d
}

## -------------------------------------------------------------- one case

# name      case name
# file      CSV path relative to this directory (as passed to kto)
# rows      rows of `source` to compute from instead of `file` itself
#           (for the semicolon copy: checked to hold the same data)
cases <- list()
logit_gap <- 0

add_case <- function(name, file, value, strata = NULL, fpc = NULL,
                     weights = NULL, by = NULL, proportion = FALSE,
                     method = NULL, level = NULL, source = NULL,
                     rows = NULL) {
	cli <- c("--csv", file, "--value", value)
	if (!is.null(strata)) cli <- c(cli, "--strata", paste(strata, collapse = ","))
	if (!is.null(fpc)) cli <- c(cli, "--fpc", fpc)
	if (!is.null(weights)) cli <- c(cli, "--weights", weights)
	if (!is.null(by)) cli <- c(cli, "--by", by)
	if (proportion) cli <- c(cli, "--proportion")
	if (!is.null(method)) cli <- c(cli, "--method", method)
	if (!is.null(level)) cli <- c(cli, "--level", level)
	meth <- if (is.null(method)) "logit" else method
	lev <- if (is.null(level)) 0.95 else as.numeric(level)
	alpha <- 1 - lev

	raw <- if (is.null(source)) data_of(file) else data_of(source, rows)
	n_rows <- nrow(raw)
	y <- num(raw, value)
	st <- if (is.null(strata)) rep("", n_rows) else
		do.call(paste, c(lapply(strata, function(s) raw[[s]]), sep = "\r"))
	dd <- data.frame(y = y, st = st, stringsAsFactors = FALSE)
	if (!is.null(fpc)) dd$N <- num(raw, fpc)
	if (!is.null(weights)) dd$w <- num(raw, weights)
	des <- suppressWarnings(svydesign(
		id = ~1,
		strata = if (is.null(strata)) NULL else ~st,
		fpc = if (is.null(fpc)) NULL else ~N,
		weights = if (is.null(weights)) NULL else ~w,
		data = dd))

	if (is.null(by)) {
		groups <- list(all = rep(TRUE, n_rows))
	} else {
		b <- raw[[by]]
		if (is.null(b)) stop("no column ", by)
		lev_by <- sort(unique(b[b != ""]), method = "radix") # byte order
		groups <- lapply(lev_by, function(g) b == g)
		names(groups) <- lev_by
	}

	expected <- list()
	for (g in names(groups)) {
		idx <- groups[[g]] & !is.na(y)
		nd <- sum(idx)
		o <- list(group = g, n = nd, estimate = NA, se = NA, ci_low = NA,
		          ci_high = NA, df = NA)
		if (proportion) o$method <- meth
		if (nd > 0) {
			sub <- des[idx, ]
			dfree <- degf(sub)
			stopifnot(dfree == nd - length(unique(st[idx])))
			o$df <- dfree
			if (!proportion) {
				m <- svymean(~y, sub)
				o$estimate <- coef(m)[[1]]
				o$se <- SE(m)[[1]]
				if (dfree >= 1) {
					ci <- confint(m, level = lev, df = dfree)
					q <- qt(1 - alpha / 2, dfree)
					stopifnot(abs(ci[1] - (o$estimate - q * o$se)) <= 1e-12 * abs(ci[1]) + 1e-15)
					o$ci_low <- ci[1]
					o$ci_high <- ci[2]
				}
			} else {
				v <- y[idx]
				if (!all(v %in% c(0, 1))) stop(name, ": ", value, " is not 0/1")
				if (all(v == 0) || all(v == 1)) {
					# kto's policy, not R: Clopper-Pearson-type bound on n.
					b1 <- qbeta(1 - alpha / 2, 1, nd)
					stopifnot(abs(b1 - (1 - (alpha / 2)^(1 / nd))) < 1e-15)
					p1 <- all(v == 1)
					o$estimate <- if (p1) 1 else 0
					o$se <- 0
					o$ci_low <- if (p1) (alpha / 2)^(1 / nd) else 0
					o$ci_high <- if (p1) 1 else 1 - (alpha / 2)^(1 / nd)
					o$method <- "clopper-pearson"
				} else {
					r <- suppressWarnings(svyciprop(~y, sub, method = meth,
					                                level = lev))
					o$estimate <- as.numeric(r)
					o$se <- sqrt(attr(r, "var")[[1]])
					if (dfree >= 1) {
						o$ci_low <- attr(r, "ci")[[1]]
						o$ci_high <- attr(r, "ci")[[2]]
					}
					if (meth == "logit" && dfree >= 1) {
						# The closed form of STATISTICS.md section 5 must be
						# well within the 1e-8 tolerance of R's IRLS values.
						p <- coef(svymean(~y, sub))[[1]]
						se_eta <- o$se / (p * (1 - p))
						q <- qt(1 - alpha / 2, dfree)
						cf <- c(p, plogis(qlogis(p) + c(-1, 1) * q * se_eta))
						rg <- c(o$estimate, o$ci_low, o$ci_high)
						logit_gap <<- max(logit_gap, abs(cf - rg) / abs(rg))
					}
				}
			}
		}
		expected[[length(expected) + 1]] <- o
	}
	tol <- if (proportion && meth == "logit") "1e-8" else "1e-9"
	cases[[length(cases) + 1]] <<- list(name = name, args = cli,
	                                    expected = expected, tol = tol)
	invisible(expected)
}

## ------------------------------------------------------------------ cases

# apistrat: the worked example of STATISTICS.md.
A <- "apistrat.csv"
r <- add_case("api_mean_strata_fpc", A, "api00", strata = "stype", fpc = "fpc")
stopifnot(abs(r[[1]]$estimate - 662.287363578) < 1e-9,
          abs(r[[1]]$se - 9.40894087943) < 1e-10, r[[1]]$df == 197)
r <- add_case("api_mean_by_sch_wide", A, "api00", strata = "stype",
              fpc = "fpc", by = "sch_wide")
stopifnot(r[[1]]$group == "No", r[[1]]$df == 45)
add_case("api_mean_by_stype_level90", A, "api00", strata = "stype",
         fpc = "fpc", by = "stype", level = "0.9")
add_case("api_mean_weights_no_fpc", A, "api00", strata = "stype",
         weights = "pw")
add_case("api_mean_weights_and_fpc_by_awards", A, "api99", strata = "stype",
         fpc = "fpc", weights = "pw", by = "awards")
add_case("api_mean_no_design", A, "api00")
add_case("api_mean_weights_only", A, "meals", weights = "pw",
         by = "comp.imp")
add_case("api_mean_missing_by_stype", A, "acs.k3", strata = "stype",
         fpc = "fpc", by = "stype")
add_case("api_mean_missing_target", A, "target", strata = "stype",
         fpc = "fpc", by = "sch_wide", level = "0.99")
r <- add_case("api_prop_default_logit", A, "sch_wide_yes", strata = "stype",
              fpc = "fpc", proportion = TRUE)
stopifnot(abs(r[[1]]$estimate - 0.827948013793) < 1e-12)
add_case("api_prop_logit_by_stype", A, "sch_wide_yes", strata = "stype",
         fpc = "fpc", by = "stype", proportion = TRUE, method = "logit")
add_case("api_prop_beta", A, "sch_wide_yes", strata = "stype", fpc = "fpc",
         proportion = TRUE, method = "beta")
add_case("api_prop_mean", A, "sch_wide_yes", strata = "stype", fpc = "fpc",
         proportion = TRUE, method = "mean")
add_case("api_prop_beta_by_stype_level90", A, "awards_yes", strata = "stype",
         fpc = "fpc", by = "stype", proportion = TRUE, method = "beta",
         level = "0.9")
add_case("api_prop_mean_weights_by_comp_imp", A, "awards_yes",
         strata = "stype", weights = "pw", by = "comp.imp",
         proportion = TRUE, method = "mean")

# kto_responses: strata municipality x channel, N_h the population.
K <- "kto_responses.csv"
S <- c("municipality", "channel")
add_case("kto_mark_by_municipality", K, "mark_total", strata = S, fpc = "N",
         by = "municipality")
add_case("kto_mark_by_channel", K, "mark_total", strata = S, fpc = "N",
         by = "channel")
add_case("kto_mark_all", K, "mark_total", strata = S, fpc = "N")
add_case("kto_friendly_by_municipality", K, "mark_friendly", strata = S,
         fpc = "N", by = "municipality")
add_case("kto_mark_by_age_band", K, "mark_total", strata = S, fpc = "N",
         by = "age_band")
add_case("kto_mark_by_product", K, "mark_total", strata = S, fpc = "N",
         by = "product")
add_case("kto_wait_by_channel_level99", K, "wait_min", strata = S, fpc = "N",
         by = "channel", level = "0.99")
add_case("kto_mark_weights_no_fpc", K, "mark_total", strata = S,
         weights = "weight", by = "municipality")
add_case("kto_mark_weights_and_fpc", K, "mark_total", strata = S, fpc = "N",
         weights = "weight", by = "channel")
add_case("kto_mark_strata_municipality_weights", K, "mark_total",
         strata = "municipality", weights = "weight", by = "channel")
add_case("kto_passed_logit_by_municipality", K, "passed", strata = S,
         fpc = "N", by = "municipality", proportion = TRUE)
add_case("kto_passed_beta_by_municipality", K, "passed", strata = S,
         fpc = "N", by = "municipality", proportion = TRUE, method = "beta")
add_case("kto_passed_mean_by_municipality", K, "passed", strata = S,
         fpc = "N", by = "municipality", proportion = TRUE, method = "mean")
add_case("kto_passed_logit_by_age_band", K, "passed", strata = S, fpc = "N",
         by = "age_band", proportion = TRUE, method = "logit")
add_case("kto_passed_beta_by_product", K, "passed", strata = S, fpc = "N",
         by = "product", proportion = TRUE, method = "beta")
add_case("kto_passed_logit_all", K, "passed", strata = S, fpc = "N",
         proportion = TRUE)
add_case("kto_norm_met_logit_by_municipality", K, "norm_met", strata = S,
         fpc = "N", by = "municipality", proportion = TRUE)
add_case("kto_norm_met_beta_by_channel_level90", K, "norm_met", strata = S,
         fpc = "N", by = "channel", proportion = TRUE, method = "beta",
         level = "0.9")
add_case("kto_norm_met_weights_by_municipality", K, "norm_met", strata = S,
         weights = "weight", by = "municipality", proportion = TRUE,
         method = "mean")

# The semicolon copy: the same numbers as the first 200 rows of the comma
# file, so the expected values are computed from those.
NL <- "kto_responses_nl.csv"
local({
	a <- data_of(K, 1:200)
	b <- data_of(NL)
	stopifnot(identical(names(a), names(b)), nrow(b) == 200)
	for (col in names(a)) {
		if (col %in% c("N", "wait_min", "weight"))
			stopifnot(identical(num(a, col), num(b, col)))
		else
			stopifnot(identical(a[[col]], b[[col]]))
	}
	stopifnot(any(grepl(",", b$weight)), any(grepl(",", b$wait_min)))
})
add_case("nl_mark_by_municipality", NL, "mark_total", strata = S, fpc = "N",
         by = "municipality", source = K, rows = 1:200)
add_case("nl_mark_weights_by_channel", NL, "mark_total", strata = S,
         weights = "weight", by = "channel", source = K, rows = 1:200)
add_case("nl_wait_weights_and_fpc", NL, "wait_min", strata = S, fpc = "N",
         weights = "weight", source = K, rows = 1:200)
add_case("nl_passed_beta_by_channel", NL, "passed", strata = S, fpc = "N",
         by = "channel", proportion = TRUE, method = "beta", source = K,
         rows = 1:200)

# R's IRLS stops at a relative deviance change of 1e-8, so its logit
# values are off the exact ones by up to a few 1e-9 (2.7e-9 with this
# data); kto's closed form must still pass at the 1e-8 of these cases.
if (logit_gap > 5e-9)
	stop("R's logit values differ from the closed form by ", logit_gap)

## ------------------------------------------------------------ JSON output

jstr <- function(s) {
	s <- gsub("\\", "\\\\", s, fixed = TRUE)
	s <- gsub("\"", "\\\"", s, fixed = TRUE)
	paste0("\"", s, "\"")
}
jnum <- function(x) {
	if (is.null(x) || length(x) != 1 || is.na(x) || !is.finite(x)) "null"
	else sprintf("%.17g", x)
}
jint <- function(x) {
	if (is.null(x) || is.na(x)) "null" else sprintf("%d", as.integer(x))
}
jobj <- function(o) {
	f <- c(sprintf("\"group\": %s", jstr(o$group)),
	       sprintf("\"n\": %s", jint(o$n)),
	       sprintf("\"estimate\": %s", jnum(o$estimate)),
	       sprintf("\"se\": %s", jnum(o$se)),
	       sprintf("\"ci_low\": %s", jnum(o$ci_low)),
	       sprintf("\"ci_high\": %s", jnum(o$ci_high)),
	       sprintf("\"df\": %s", jint(o$df)))
	if (!is.null(o$method)) f <- c(f, sprintf("\"method\": %s", jstr(o$method)))
	paste0("{", paste(f, collapse = ", "), "}")
}
out <- character()
for (k in seq_along(cases)) {
	cs <- cases[[k]]
	out <- c(out, paste0(
		"  {\"name\": ", jstr(cs$name), ",\n",
		"   \"args\": [", paste(sapply(cs$args, jstr), collapse = ", "), "],\n",
		"   \"expected\": [\n    ",
		paste(sapply(cs$expected, jobj), collapse = ",\n    "), "\n   ],\n",
		"   \"tolerance\": ", cs$tol, "}"))
}
writeLines(c("[", paste(out, collapse = ",\n"), "]"), outfile)
message(sprintf("%d cases written to %s (logit closed form within %.1e)",
                length(cases), outfile, logit_gap))
