# sweep_fan.gp: one series of a sweep over time, a few points at once: per
# point the median of its complete replicates and the 5-95 % band (a fan
# chart), as a 1000x600 PNG.
#
# `dnetsim plot SWEEP.h5` loads this once per picture, many times in one
# gnuplot, so it starts from a clean state.
#
# Parameters, set with -e before the script name (or before `load`):
#   datafile  whitespace table, one block per point (two blank lines
#             between; gnuplot's index 0, 1, ...), one row per time:
#               time (in the unit xlabel names), median, 5 % quantile,
#               95 % quantile, replicates with a value at that time
#             NaN where no replicate has a value: the line breaks there
#   outfile   the PNG to write
#   npoints   blocks in datafile (each has a value at some time)
#   label1 .. label<npoints>: the points' legend entries
#   title, ylabel, xlabel ("simulated time (hours)")
#   xmin, xmax, ymin, ymax: the axes' ranges (padded by dnetsim: never empty)
#   marks     1: a dot at each time on the median (few times), 0: a smaller
#             one (many times); a time between two gaps still shows

reset
undefine STATS_*

if (!exists("datafile") || !exists("outfile") || !exists("npoints")) {
    print "sweep_fan.gp: set datafile, outfile and npoints with -e"
    exit status 2
}
if (!exists("title")) { title = datafile }
if (!exists("ylabel")) { ylabel = "value" }
if (!exists("xlabel")) { xlabel = "simulated time (seconds)" }
if (!exists("marks")) { marks = 1 }
label(i) = exists(sprintf("label%d", i)) ? value(sprintf("label%d", i)) : sprintf("point %d", i)

set terminal pngcairo size 1000,600 noenhanced font ",11"
set output outfile
set title title
set xlabel xlabel offset 0, 0.4
set ylabel ylabel
set grid
set key below left Left reverse maxcols 2 width 2
if (exists("xmin") && exists("xmax")) { set xrange [xmin:xmax] }
if (exists("ymin") && exists("ymax")) { set yrange [ymin:ymax] }

# one colour per point (linetype i): the band lighter, the median a line
# with a dot at each time, so a time between two gaps still shows
plot for [i=1:npoints] datafile index (i - 1) using 1:($3):($4) with filledcurves \
         fillstyle transparent solid 0.18 noborder linetype i notitle, \
     for [i=1:npoints] datafile index (i - 1) using 1:($2) with linespoints \
         linetype i linewidth 2 pointtype 7 pointsize (marks ? 0.5 : 0.2) title label(i)
set output
