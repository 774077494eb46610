# overview.gp: one page (3 x 3 panels) of a DNET world run, drawn by
# `dnetsim plot` as overview.png next to the one-picture-per-series PNGs.
#
# datafile columns: 1 time (in xunit: "seconds", "hours", "days" or
# "years", chosen by dnetsim from the run's length); 2 dnet_price; 3 coverage;
# 4 service_latency_p50_ns; 5 service_latency_p99_ns; 6 service_price_usd_gb;
# 7 holdings_gini; 8 holdings_top_share; 9 dtoken_share;
# 10 initial_vote_share; 11 delegate_income_usd; 12 delegate_cost_usd;
# 13 sharers_online; 14 sessions_active; 15 fraud_attempted;
# 16 fraud_caught; 17 missed_slots. NaN or a negative quantile (-1: no
# samples in the block) is a gap. A long run comes as four rows per
# pixel column (first, lowest, highest, last value of every column).
# Loaded after series.gp in the same gnuplot: start from a clean state.
reset
undefine STATS_*
if (!exists("datafile") || !exists("outfile")) {
    print "overview.gp: set datafile and outfile with -e"
    exit status 2
}
set terminal pngcairo size 1800,1350 noenhanced font ",10"
set output outfile
if (!exists("xunit")) { xunit = "hours" }
set multiplot layout 3,3 title "DNET world: overview (x: simulated ".xunit.")"
set grid
set key top left
ok(v) = (v < 0 ? NaN : v)
# A panel whose main column has no valid value (a short run: no request,
# no purchase, no Gini update yet) shows "no samples" instead of failing:
# `stats` leaves STATS_records undefined when every point is undefined.
has(col) = (exists("STATS_records") && STATS_records > 0)

set title "DNET price (USD)"
plot datafile using 1:($2) with lines lw 1.5 notitle

set title "coverage: consumers with demand who were served (dots: rows; line: smoothed)"
set yrange [0:1.05]
undefine STATS_*
stats datafile using ($3) nooutput
if (has(3)) {
    plot datafile using 1:($3) with dots lc rgb "#b0b0b0" notitle, \
         datafile using 1:($3) smooth bezier lw 2 title "smoothed"
} else {
    set label 1 "no samples" at graph 0.5, graph 0.5 center
    set yrange [0:1]
    plot NaN notitle
    unset label 1
    set yrange [*:*]
}
set yrange [*:*]

set title "service latency, request to first byte (s; R-CHAIN-5 bound 15 s; axis stops at 60 s)"
set yrange [0:*<60]
undefine STATS_*
stats datafile using (ok($5)) nooutput
if (has(5)) {
    plot datafile using 1:(ok($4)/1e9) with lines title "p50", \
         datafile using 1:(ok($5)/1e9) with lines title "p99", \
         15 with lines dt 2 lc rgb "red" title "15 s"
} else {
    set label 1 "no samples" at graph 0.5, graph 0.5 center
    plot 15 with lines dt 2 lc rgb "red" title "15 s"
    unset label 1
}
set yrange [*:*]

set title "price paid for service (USD per GB, at the market price)"
undefine STATS_*
stats datafile using ($6) nooutput
if (has(6)) {
    plot datafile using 1:($6) with dots notitle, datafile using 1:($6) smooth bezier lw 2 notitle
} else {
    set label 1 "no samples" at graph 0.5, graph 0.5 center
    set yrange [0:1]
    plot NaN notitle
    unset label 1
    set yrange [*:*]
}

set title "holdings: Gini and top-1 % share"
# plain column numbers: a NaN row (no update in that block) is skipped and
# the line goes on (world.gini_interval_blocks)
set datafile missing "NaN"
set yrange [0:1.02]
undefine STATS_*
stats datafile using 7 nooutput
if (has(7)) {
    plot datafile using 1:7 with lines lw 1.5 title "Gini", \
         datafile using 1:8 with lines lw 1.5 title "top 1 % share"
} else {
    set label 1 "no samples" at graph 0.5, graph 0.5 center
    set yrange [0:1]
    plot NaN notitle
    unset label 1
    set yrange [*:*]
}
unset datafile
set yrange [*:*]

set title "R-GOV-2: initial holders' voting share (left); R-EMIT-5: DToken-originated share (right)"
set yrange [0:1.05]
# both are shares: a fixed right axis too (a run where no DNET came from
# traffic has a share of 0 throughout: an empty range gnuplot warns of)
set y2range [0:1.05]
set y2tics
set ytics nomirror
plot datafile using 1:($10) with lines lw 1.5 title "initial holders' voting share", \
     2.0/3 with lines dt 2 lc rgb "red" title "2/3", \
     datafile using 1:($9) axes x1y2 with lines lw 1.5 title "DToken-originated share of DNET (right axis)"
set yrange [*:*]
set y2range [*:*]
unset y2tics
set ytics mirror

set title "delegates: income at the market price vs running cost (USD, cumulative)"
plot datafile using 1:($11) with lines lw 1.5 title "income", \
     datafile using 1:($12) with lines lw 1.5 title "running cost"

set title "supply of service: sharers online (left), sessions being served (right)"
set y2tics
set ytics nomirror
plot datafile using 1:($13) with lines lw 1.5 title "sharers online", \
     datafile using 1:($14) axes x1y2 with lines lw 1 title "sessions active (right axis)"
unset y2tics
set ytics mirror

set title "fraud attempted / caught, missed slots (cumulative)"
plot datafile using 1:($15) with lines lw 1.5 title "fraud attempted", \
     datafile using 1:($16) with lines lw 1.5 dt 2 title "fraud caught", \
     datafile using 1:($17) with lines lw 1.5 title "missed slots"
unset multiplot
set output
