# The baseline of the report-marks benchmark (bench/marks.sh): R's survey
# package computing the means kto's report marks give, on the CSV that
# bench_marks --csv wrote (municipality,channel,N,v1..v15; empty is missing
# or "weet niet").  The design is kto's: strata municipality x channel,
# weights N_h/n_h with the finite population correction, lonely strata
# "adjust"; means with na.rm = TRUE (missing values as domains).
#
# For each of the 15 variables: every municipality x channel, every
# municipality over its channels, and everyone (svymean).  Prints
#   r_seconds S              elapsed seconds of those estimates
#   r_spot KEY EST SE        for each KEY given, as bench_marks names them:
#                            GM0001.counter:v1, GM0008:v1, all:v1
#
# Usage: Rscript bench/marks_svyby.R CSV [KEY ...]
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript marks_svyby.R CSV [KEY ...]")
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")

d <- read.csv(args[1], na.strings = "",
              colClasses = c("character", "character", "numeric", rep("integer", 15)))
vars <- grep("^v[0-9]+$", names(d), value = TRUE)
des <- svydesign(id = ~1, strata = ~interaction(municipality, channel), fpc = ~N,
                 data = d)

by_cell <- list()
by_mun <- list()
everyone <- list()
elapsed <- system.time({
  for (v in vars) {
    f <- as.formula(paste0("~", v))
    by_cell[[v]] <- svyby(f, ~interaction(municipality, channel), des, svymean,
                          na.rm = TRUE)
    by_mun[[v]] <- svyby(f, ~municipality, des, svymean, na.rm = TRUE)
    everyone[[v]] <- svymean(f, des, na.rm = TRUE)
  }
})[["elapsed"]]
cat(sprintf("r_seconds %.3f\n", elapsed))

for (key in args[-1]) {
  parts <- strsplit(key, ":", fixed = TRUE)[[1]]
  unit <- parts[1]
  v <- parts[2]
  if (unit == "all") {
    est <- coef(everyone[[v]])[[1]]
    se <- SE(everyone[[v]])[[1]]
  } else {
    tab <- if (grepl(".", unit, fixed = TRUE)) by_cell[[v]] else by_mun[[v]]
    if (unit %in% rownames(tab)) {
      est <- tab[unit, v]
      se <- tab[unit, "se"]
    } else {
      est <- NA
      se <- NA
    }
  }
  cat(sprintf("r_spot %s %.17g %.17g\n", key, est, se))
}
