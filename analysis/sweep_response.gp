# sweep_response.gp: one summary of a sweep against one swept parameter,
# as a 1000x600 PNG.
#
# `dnetsim plot SWEEP.h5` loads this once per picture, many times in one
# gnuplot, so it starts from a clean state.
#
# Parameters, set with -e before the script name (or before `load`):
#   datafile  whitespace table in two blocks (two blank lines between):
#             block 0 (index 0): one row per point, sorted by x:
#               x, mean, ci95_lo, ci95_hi, count (the point's complete
#               replicates); NaN where the file has no value
#             block 1 (index 1, only if ndots > 0): one row per complete
#               replicate: x, its value
#   outfile   the PNG to write
#   title     the summary's name against the parameter's, then its
#             description (lines of at most 100 characters)
#   xlabel    the parameter (and its unit); ylabel: the summary's unit
#   nci       rows of block 0 with an interval (0: no error bars)
#   ndots     rows of block 1 (0: no dots)
#   connect   1: a line joins the means (one parameter varies)
#   xmin, xmax, ymin, ymax: the axes' ranges (dnetsim pads them, so a
#             summary equal at every point draws as a flat line, without
#             gnuplot's "empty range" warning)
# By hand:
#   gnuplot -e "datafile='r.dat'; outfile='r.png'; title='x'; xlabel='p'; \
#     ylabel='1'; nci=3; ndots=9; connect=1; xmin=0; xmax=1; ymin=0; ymax=1" \
#     sweep_response.gp

reset
undefine STATS_*

if (!exists("datafile") || !exists("outfile")) {
    print "sweep_response.gp: set datafile and outfile with -e"
    exit status 2
}
if (!exists("title")) { title = datafile }
if (!exists("xlabel")) { xlabel = "parameter" }
if (!exists("ylabel")) { ylabel = "value" }
if (!exists("nci")) { nci = 0 }
if (!exists("ndots")) { ndots = 0 }
if (!exists("connect")) { connect = 0 }

set terminal pngcairo size 1000,600 noenhanced font ",11"
set output outfile
set title title
set xlabel xlabel
set ylabel ylabel
set grid
set key top left opaque box
if (exists("xmin") && exists("xmax")) { set xrange [xmin:xmax] }
if (exists("ymin") && exists("ymax")) { set yrange [ymin:ymax] }

# ($n), not n: a NaN is undefined and drawn as nothing. The plot command
# is put together from the fixed parts below (no text from the file is
# ever part of it): a table without dots or intervals leaves those parts
# out, as gnuplot would warn of a part without points even in an empty
# `for` loop.
dots_part = 'datafile index 1 using 1:($2) with points pointtype 7 pointsize 0.6 linecolor rgb "#9a9a9a" title "replicates", '
ci_part = 'datafile index 0 using 1:($2):($3):($4) with yerrorbars pointtype 7 pointsize 0 linewidth 1.5 linecolor rgb "#1f5fb4" title "95 % interval of the mean", '
line_part = 'datafile index 0 using 1:($2) with lines linewidth 1.5 linecolor rgb "#1f5fb4" notitle, '
mean_part = 'datafile index 0 using 1:($2) with points pointtype 7 pointsize 1.3 linecolor rgb "#1f5fb4" title "mean of the point' . "'" . 's complete replicates"'
eval "plot " . (ndots > 0 ? dots_part : "") . (nci > 0 ? ci_part : "") . (connect != 0 ? line_part : "") . mean_part
set output
