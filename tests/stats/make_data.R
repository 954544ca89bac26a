# Writes the data sets of the `kto stats estimate` reference test:
#
#   apistrat.csv          R's data(api) apistrat, with a 0/1 column added
#   kto_responses.csv     a made-up KTO survey (seeded, so deterministic)
#   kto_responses_nl.csv  its first 200 rows as Dutch Excel writes them:
#                         semicolons and decimal commas
#
# Usage: Rscript make_data.R [OUTDIR]   (default: the directory of this
# script).  The files are committed; reference.R reads them, it does not
# call this script.  Rerun only to change the data, then rerun reference.R.

args <- commandArgs(trailingOnly = TRUE)
script_dir <- function() {
	f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
	if (length(f) == 1) dirname(normalizePath(f)) else getwd()
}
outdir <- if (length(args) >= 1) args[1] else script_dir()

suppressMessages(library(survey))

## ---------------------------------------------------------------- apistrat
data(api)
api <- apistrat[, c("cds", "stype", "name", "dname", "sch.wide", "comp.imp",
                    "awards", "api00", "api99", "target", "growth", "meals",
                    "acs.k3", "enroll", "pw", "fpc")]
names(api)[names(api) == "sch.wide"] <- "sch_wide"
api$sch_wide_yes <- as.integer(api$sch_wide == "Yes")
api$awards_yes <- as.integer(api$awards == "Yes")
# write.csv's defaults: strings quoted (RFC 4180), numbers bare, NA empty.
write.csv(api, file.path(outdir, "apistrat.csv"), row.names = FALSE, na = "")

## ----------------------------------------------------------- kto_responses
# R >= 3.6 sampling; fixed kinds so that a later default cannot change it.
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20240611)

munis <- sprintf("GM%04d", 1:6)
channels <- c("counter", "phone", "email")
cells <- expand.grid(channel = channels, municipality = munis,
                     stringsAsFactors = FALSE)[, c("municipality", "channel")]
cells$n <- sample(55:145, nrow(cells), replace = TRUE)
cells$N <- sample(200:5000, nrow(cells), replace = TRUE)
key <- paste(cells$municipality, cells$channel)
special <- function(m, ch) which(key == paste(m, ch))
lonely <- special("GM0006", "email")   # exactly one respondent
census <- special("GM0005", "counter") # N_h = n_h
same   <- special("GM0004", "phone")   # every respondent gives mark 8
nomark <- special("GM0003", "email")   # every mark_total missing
cells$n[lonely] <- 1
cells$N[lonely] <- 250
cells$n[census] <- 40
cells$N[census] <- 40
cells$n[same] <- 30
cells$n[nomark] <- 25
stopifnot(all(cells$N >= cells$n))

mark_probs <- c(2, 2, 3, 4, 8, 14, 24, 26, 12, 5)
rows <- list()
for (k in seq_len(nrow(cells))) {
	m <- cells$municipality[k]
	n <- cells$n[k]
	mt <- sample(1:10, n, replace = TRUE, prob = mark_probs)
	if (m == "GM0002")                 # every mark passes: passed is 1
		mt <- sample(6:10, n, replace = TRUE)
	mt[runif(n) < 0.06] <- NA
	if (k == same) mt <- rep(8L, n)
	if (k == nomark) mt <- rep(NA_integer_, n)
	if (k == lonely) mt <- 7L
	mf <- pmin(10L, pmax(1L, mt + sample(-2:2, n, replace = TRUE)))
	mf[is.na(mf)] <- sample(1:10, sum(is.na(mf)), replace = TRUE,
	                        prob = mark_probs)
	mf[runif(n) < 0.10] <- NA
	nm <- as.integer(runif(n) < 0.7)
	if (m == "GM0005") nm <- rep(0L, n)  # norm never met: proportion 0
	nm[runif(n) < 0.08] <- NA
	ab <- sample(c("18-29", "30-44", "45-64", "65-79"), n, replace = TRUE,
	             prob = c(2, 3, 4, 3))
	ab[runif(n) < 0.05] <- NA
	pr <- sample(c("afval", "paspoort", "parkeren", "rijbewijs"), n,
	             replace = TRUE)
	pr[runif(n) < 0.03] <- NA
	wt <- round(rgamma(n, shape = 2, rate = 0.4), 1)
	wt[runif(n) < 0.05] <- NA
	rows[[k]] <- data.frame(municipality = m, channel = cells$channel[k],
	                        N = cells$N[k], mark_total = mt,
	                        mark_friendly = mf, norm_met = nm, age_band = ab,
	                        product = pr, wait_min = wt,
	                        stringsAsFactors = FALSE)
}
d <- do.call(rbind, rows)
# Age band "80+" only in the stratum without any mark_total: a group
# whose answers are all missing.
d$age_band[which(d$municipality == "GM0003" & d$channel == "email")[1:4]] <- "80+"
# Age band "<18": a group of exactly one respondent, with a mark.
one <- which(d$municipality == "GM0001" & d$channel == "counter" &
             !is.na(d$mark_total))[1]
d$age_band[one] <- "<18"
# Product "WMO": two respondents in two strata (df = 0), one passing and
# one failing; upper case, so it sorts first in byte order.
w1 <- which(d$municipality == "GM0001" & d$channel == "phone" &
            !is.na(d$mark_total))[2]
w2 <- which(d$municipality == "GM0006" & d$channel == "counter" &
            !is.na(d$mark_total))[2]
d$product[c(w1, w2)] <- "WMO"
d$mark_total[w1] <- 4L
d$mark_total[w2] <- 9L

d$passed <- ifelse(is.na(d$mark_total), NA_integer_,
                   as.integer(d$mark_total >= 5.5))
n_h <- ave(rep(1, nrow(d)), d$municipality, d$channel, FUN = sum)
d$weight <- round(d$N / n_h, 4)       # N_h/n_h as a spreadsheet shows it
d <- d[sample(nrow(d)), ]             # respondents in no particular order
d$respondent <- sprintf("R%05d", seq_len(nrow(d)))
d <- d[, c("respondent", "municipality", "channel", "N", "mark_total",
           "mark_friendly", "passed", "norm_met", "age_band", "product",
           "wait_min", "weight")]
rownames(d) <- NULL

# No field needs quoting; write them bare, as a spreadsheet would.
write.table(d, file.path(outdir, "kto_responses.csv"), sep = ",", dec = ".",
            quote = FALSE, row.names = FALSE, na = "")
write.table(d[1:200, ], file.path(outdir, "kto_responses_nl.csv"), sep = ";",
            dec = ",", quote = FALSE, row.names = FALSE, na = "")
