# tune_indices.gp: two indices of each parameter side by side, each a bar
# with its interval as whiskers, as a 1000x600 PNG. `dnetsim plot` draws
# with it, for a tune file (docs/tuning.md):
#   sensitivity  per output, Sobol's first-order S1 (A) and total ST (B)
#                index of each parameter, ranked by ST
#                (tune_sobol_<metric>.png);
#   screen       per output, Morris's mu* (A, with its bootstrap interval)
#                and sigma (B, no interval), ranked by mu*
#                (tune_morris_<metric>.png). Ranked bars rather than the
#                classic mu*-sigma scatter: every parameter's name stays
#                readable on the axis (a scatter piles the unimportant
#                ones, with their labels, on top of each other at 0,0),
#                and mu*'s interval, the point of it, reads as a whisker.
#
# `dnetsim plot` loads this once per picture, many times in one gnuplot,
# so it starts from a clean state.
#
# Parameters, set with -e before the script name (or before `load`):
#   datafile  whitespace table, one row per parameter in the order drawn:
#               position (1..nparams), the parameter's index in the file
#               (1-based), A, A_lo, A_hi, B, B_lo, B_hi [, more columns
#               not drawn]; NaN where there is no value (a NaN interval
#               draws no whisker); lines starting with # are comments
#   outfile   the PNG to write
#   title     the output and what is drawn (lines of at most 100
#             characters); xlabel, ylabel: the axes
#   nparams   rows of the table; label1 .. label<nparams>: the
#             parameters' names, the x axis' tick labels
#   nameA, nameB   the two indices as the key names them
#   ciA, ciB       their intervals as the key names them
#   nciA, nciB     rows with an interval of A, of B (0: no whiskers)
#   ymin, ymax     the y range (dnetsim pads it and includes 0)
# By hand:
#   gnuplot -e "datafile='s.dat'; outfile='s.png'; title='t'; xlabel='p'; \
#     ylabel='index'; nparams=2; label1='x1'; label2='x2'; nameA='S1'; \
#     nameB='ST'; ciA='95 %'; ciB='95 %'; nciA=2; nciB=2; ymin=-0.1; \
#     ymax=1.1" tune_indices.gp

reset
undefine STATS_*

if (!exists("datafile") || !exists("outfile") || !exists("nparams")) {
    print "tune_indices.gp: set datafile, outfile and nparams with -e"
    exit status 2
}
if (!exists("title")) { title = datafile }
if (!exists("xlabel")) { xlabel = "parameter" }
if (!exists("ylabel")) { ylabel = "index" }
if (!exists("nameA")) { nameA = "A" }
if (!exists("nameB")) { nameB = "B" }
if (!exists("ciA")) { ciA = "interval of A" }
if (!exists("ciB")) { ciB = "interval of B" }
if (!exists("nciA")) { nciA = 0 }
if (!exists("nciB")) { nciB = 0 }

set terminal pngcairo size 1000,600 noenhanced font ",11"
set output outfile
set title title
set xlabel xlabel
set ylabel ylabel
set grid ytics
set xzeroaxis linetype -1 linewidth 1
set key top right opaque box
set xrange [0.4:nparams + 0.6]
if (exists("ymin") && exists("ymax")) { set yrange [ymin:ymax] }

# The parameters' names as tick labels, read from variables (value()):
# no name is ever part of a command. Many names are turned to fit.
set xtics () scale 0
if (nparams > 6) { set xtics rotate by 30 right }
do for [i = 1:nparams] {
    set xtics add (value(sprintf("label%d", i)) i)
}

bw = 0.36
off = 0.19
set style fill solid 0.55 border -1
# ($n), not n: a NaN is undefined and drawn as nothing. The plot command
# is put together from the fixed parts below (no text from the file is
# ever part of it): without intervals, their parts are left out.
barA = 'datafile using ($1 - off):($3):(bw) with boxes linecolor rgb "#1f5fb4" title nameA, '
ciA_part = 'datafile using ($1 - off):($3):($4):($5) with yerrorbars pointtype 0 linewidth 1.5 linecolor rgb "#0a2a55" title ciA, '
barB = 'datafile using ($1 + off):($6):(bw) with boxes linecolor rgb "#e8912d" title nameB'
ciB_part = ', datafile using ($1 + off):($6):($7):($8) with yerrorbars pointtype 0 linewidth 1.5 linecolor rgb "#7a3d00" title ciB'
eval "plot " . barA . (nciA > 0 ? ciA_part : "") . barB . (nciB > 0 ? ciB_part : "")
set output
