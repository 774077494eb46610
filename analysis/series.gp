# series.gp: draws one dnetsim time series as a 1000x600 PNG.
#
# `dnetsim plot` loads this once per series in a results file, many times
# in one gnuplot, so it starts from a clean state. It is not a report
# generator: one series, one picture, axes labelled with units.
#
# Parameters, set with -e before the script name (or before `load`):
#   datafile  whitespace table, one sample per line: time (in the unit
#             xlabel names), value (in the unit ylabel names); NaN marks a
#             missing value and breaks the line. dnetsim writes a long
#             series as its envelope: per pixel column the first, lowest,
#             highest and last sample, which draws the same line.
#   outfile   the PNG to write
#   title     the plot title: the series name, then its description, in
#             lines of at most 100 characters (dnetsim wraps them)
#   ylabel    the y-axis label: the unit of the values ("DNET", "s", ...)
#   xlabel    the x-axis label (default "simulated time (seconds)")
# By hand:
#   gnuplot -e "datafile='x.dat'; outfile='x.png'; title='x'; ylabel='s'" series.gp
#
# dnetsim does not draw a series that is constant over the run or has no
# sample (it lists them in constant.txt): gnuplot would warn of an empty
# range. Given one by hand, the script still draws it, with a warning, or
# empty axes marked "no samples".

# Nothing from the previous picture: ranges, labels, stats results.
reset
undefine STATS_*

if (!exists("datafile") || !exists("outfile")) {
    print "series.gp: set datafile and outfile with -e"
    exit status 2
}
if (!exists("title")) { title = datafile }
if (!exists("ylabel")) { ylabel = "value" }
if (!exists("xlabel")) { xlabel = "simulated time (seconds)" }

# Text is drawn as given: series names contain '_', which enhanced text
# mode would turn into subscripts. An 11-point font: a 100-character title
# line and a 63-byte unit on the y axis fit the picture.
set terminal pngcairo size 1000,600 noenhanced font ",11"
set output outfile
set title title
set xlabel xlabel
set ylabel ylabel
set grid
unset key

# Values are read as ($2), not 2: a NaN (a missing value) is then
# undefined and breaks the line instead of being bridged. `stats` leaves
# STATS_records undefined (with a warning) when no line of the file has a
# valid value: an empty series, or one that is all NaN.
stats datafile using 2 nooutput

if (!exists("STATS_records") || STATS_records == 0) {
    set xrange [0:1]
    set yrange [0:1]
    set label 1 "no samples" at graph 0.5, graph 0.5 center
    plot NaN notitle
} else {
    if (STATS_records == 1) {
        plot datafile using 1:($2) with points pointtype 7 notitle
    } else {
        # points too: a sample between two missing ones has no line
        plot datafile using 1:($2) with linespoints linewidth 1.5 pointtype 7 \
             pointsize 0.4 notitle
    }
}
set output
