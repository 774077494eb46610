# sweep_overview.gp: one page of a sweep: up to six summaries against the
# first swept numeric parameter (point means and 95 % intervals), drawn by
# `dnetsim plot SWEEP.h5` as overview.png beside the one-picture-per-
# summary PNGs.
#
# Parameters, set with -e before the script name (or before `load`):
#   datafile  whitespace table, one block per panel (two blank lines
#             between; gnuplot's index 0, 1, ...), one row per point,
#             sorted by x: x, mean, ci95_lo, ci95_hi, count (NaN: none)
#   outfile   the PNG to write
#   npanels   blocks (1 to 6)
#   title     the page's title; xlabel: the parameter (and its unit)
#   connect   1: a line joins the means (one parameter varies)
#   per panel k: title<k>, ylabel<k>, nci<k> (rows with an interval),
#             xmin<k>, xmax<k>, ymin<k>, ymax<k> (padded: never empty)

reset
undefine STATS_*

if (!exists("datafile") || !exists("outfile") || !exists("npanels")) {
    print "sweep_overview.gp: set datafile, outfile and npanels with -e"
    exit status 2
}
if (!exists("title")) { title = "sweep" }
if (!exists("xlabel")) { xlabel = "parameter" }
if (!exists("connect")) { connect = 0 }
v(name, k) = value(sprintf("%s%d", name, k))

set terminal pngcairo size 1500,900 noenhanced font ",10"
set output outfile
cols = npanels < 3 ? npanels : 3
rows = npanels <= 3 ? 1 : 2
set multiplot layout rows, cols title title
set grid
unset key
set xlabel xlabel
# The plot command of a panel is put together from fixed parts (no text
# from the file is ever part of it): a panel without intervals leaves
# them out, as gnuplot would warn of a part without points.
ci_part = 'datafile index (k - 1) using 1:($2):($3):($4) with yerrorbars pointtype 7 pointsize 0 linewidth 1.5 linecolor rgb "#1f5fb4", '
line_part = 'datafile index (k - 1) using 1:($2) with lines linewidth 1.5 linecolor rgb "#1f5fb4", '
mean_part = 'datafile index (k - 1) using 1:($2) with points pointtype 7 pointsize 1.2 linecolor rgb "#1f5fb4"'
do for [k=1:npanels] {
    set title v("title", k)
    set ylabel v("ylabel", k)
    set xrange [v("xmin", k):v("xmax", k)]
    set yrange [v("ymin", k):v("ymax", k)]
    eval "plot " . (v("nci", k) > 0 ? ci_part : "") . (connect != 0 ? line_part : "") . mean_part
}
unset multiplot
set output
