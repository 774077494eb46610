# tune_progress.gp: how a tuning went, step by step (docs/tuning.md).
# `dnetsim plot` draws with it, for a tune file:
#
#   mode "search" (tune_search.png, 1200x900, two panels): a target
#       search over its candidates: above, each candidate's merit (dots;
#       lower is better: the goals' shortfalls, then the objective) and
#       the best merit so far (a line), on a log scale when every merit
#       is positive; below, where each parameter stood in its range
#       (0: its min, 1: its max) at each candidate. The best candidate
#       is marked in both (a dashed vertical line).
#   mode "line" (1000x600): one quantity against a step: a goal's (or
#       the objective's) mean over the candidates, with each candidate's
#       interval and the goal's bound (tune_target_<metric>.png); the
#       widest interval half-width of a Sobol total index against N
#       (tune_sobol_convergence.png, N on a log scale).
#
# `dnetsim plot` loads this once per picture, many times in one gnuplot,
# so it starts from a clean state.
#
# Parameters, set with -e before the script name (or before `load`):
#   datafile, outfile, mode ("search" or "line"), title (lines of at
#   most 100 characters), xlabel; xmin, xmax: the x range
#   best      the step marked as the best (0: none)
#   search:   table: candidate, merit, best merit so far, violation,
#             then one column per parameter: its unit coordinate
#             npar: the parameters; label1 .. label<npar>: their names
#             ylabel1, ymin1, ymax1, logy1 (1: log scale): the merit's axis
#             ylabel2, ymin2, ymax2: the parameters' axis
#             rmarg: the right margin (characters), room for the legend
#   line:     table: step, value, lo, hi (NaN where there is none)
#             ylabel, ymin, ymax; logx (1: x on a log scale)
#             name: the value as the key names it; ciname, nci: the
#             interval's name and the rows with one (0: none); band: 1
#             draws the intervals as a band, 0 as whiskers
#             nbound (0, 1 or 2), bound1, bound2, boundname: the goal's
#             bound(s), dashed horizontal lines
# By hand:
#   gnuplot -e "datafile='g.dat'; outfile='g.png'; mode='line'; title='t'; \
#     xlabel='candidate'; ylabel='mean'; xmin=0; xmax=10; ymin=0; ymax=1; \
#     name='mean'; nci=0; nbound=1; bound1=0.9; boundname='goal'; best=3" \
#     tune_progress.gp

reset
undefine STATS_*

if (!exists("datafile") || !exists("outfile") || !exists("mode")) {
    print "tune_progress.gp: set datafile, outfile and mode with -e"
    exit status 2
}
if (!exists("title")) { title = datafile }
if (!exists("xlabel")) { xlabel = "step" }
if (!exists("best")) { best = 0 }

# Lines 1-8: gnuplot's own colours; 9-24: the same again, dashed, then
# dotted (a search of up to 24 parameters keeps them apart).
do for [i = 1:8] {
    set linetype i linewidth 1.5
}
set linetype 9 linecolor rgb "#9400d3" linewidth 1.5 dashtype 2
set linetype 10 linecolor rgb "#009e73" linewidth 1.5 dashtype 2
set linetype 11 linecolor rgb "#56b4e9" linewidth 1.5 dashtype 2
set linetype 12 linecolor rgb "#e69f00" linewidth 1.5 dashtype 2
set linetype 13 linecolor rgb "#f0e442" linewidth 1.5 dashtype 2
set linetype 14 linecolor rgb "#0072b2" linewidth 1.5 dashtype 2
set linetype 15 linecolor rgb "#e51e10" linewidth 1.5 dashtype 2
set linetype 16 linecolor rgb "#000000" linewidth 1.5 dashtype 2
set linetype 17 linecolor rgb "#9400d3" linewidth 1.5 dashtype 3
set linetype 18 linecolor rgb "#009e73" linewidth 1.5 dashtype 3
set linetype 19 linecolor rgb "#56b4e9" linewidth 1.5 dashtype 3
set linetype 20 linecolor rgb "#e69f00" linewidth 1.5 dashtype 3
set linetype 21 linecolor rgb "#f0e442" linewidth 1.5 dashtype 3
set linetype 22 linecolor rgb "#0072b2" linewidth 1.5 dashtype 3
set linetype 23 linecolor rgb "#e51e10" linewidth 1.5 dashtype 3
set linetype 24 linecolor rgb "#000000" linewidth 1.5 dashtype 3

if (mode eq "search") {
    if (!exists("rmarg")) { rmarg = 30 }
    set terminal pngcairo size 1200,900 noenhanced font ",11"
    set output outfile
    set multiplot layout 2,1 title title
    # the same margins in both panels: their x axes line up, the legends
    # stand in the right margin
    set lmargin 12
    set rmargin (rmarg < 20 ? 20 : rmarg > 70 ? 70 : rmarg)
    set grid
    set xrange [xmin:xmax]
    set key outside right top
    if (best > 0) {
        set arrow 1 from best, graph 0 to best, graph 1 nohead dashtype 2 linewidth 1.5 linecolor rgb "#c02020"
    }
    set xlabel ""
    set ylabel ylabel1
    set yrange [ymin1:ymax1]
    if (logy1 != 0) {
        set logscale y
        set format y "%g"
    }
    plot datafile using 1:($2) with points pointtype 7 pointsize 0.5 linecolor rgb "#8a8a8a" title "each candidate", \
         datafile using 1:($3) with steps linewidth 2 linecolor rgb "#1f5fb4" title "best so far", \
         datafile using 1:(($1 == best) ? $2 : 1/0) with points pointtype 6 pointsize 2.5 linewidth 2 linecolor rgb "#c02020" title "best candidate"
    unset logscale y
    set format y "% h"
    set xlabel xlabel
    set ylabel ylabel2
    set yrange [ymin2:ymax2]
    plot for [i = 1:npar] datafile using 1:(column(4 + i)) with lines linetype (i <= 24 ? i : 1 + (i - 1) % 24) title value(sprintf("label%d", i))
    unset multiplot
    set output
} else {
    if (!exists("ylabel")) { ylabel = "value" }
    if (!exists("name")) { name = "value" }
    if (!exists("ciname")) { ciname = "interval" }
    if (!exists("nci")) { nci = 0 }
    if (!exists("band")) { band = 0 }
    if (!exists("nbound")) { nbound = 0 }
    if (!exists("boundname")) { boundname = "bound" }
    if (!exists("logx")) { logx = 0 }
    set terminal pngcairo size 1000,600 noenhanced font ",11"
    set output outfile
    set title title
    set xlabel xlabel
    set ylabel ylabel
    set grid
    # below the plot: a goal's means fill the top right once it is met
    set key below horizontal
    if (logx != 0) { set logscale x 2 }
    if (exists("xmin") && exists("xmax")) { set xrange [xmin:xmax] }
    if (exists("ymin") && exists("ymax")) { set yrange [ymin:ymax] }
    if (best > 0) {
        set arrow 1 from best, graph 0 to best, graph 1 nohead dashtype 2 linewidth 1.5 linecolor rgb "#c02020"
    }
    # ($n), not n: a NaN is undefined and drawn as nothing. The plot
    # command is put together from the fixed parts below (no text from the
    # file is ever part of it).
    band_part = 'datafile using 1:($3):($4) with filledcurves fillcolor rgb "#b9d3ee" fillstyle solid 0.6 title ciname, '
    bars_part = 'datafile using 1:($2):($3):($4) with yerrorbars pointtype 0 linewidth 1 linecolor rgb "#6f8fb8" title ciname, '
    line_part = 'datafile using 1:($2) with linespoints pointtype 7 pointsize 0.6 linewidth 1.5 linecolor rgb "#1f5fb4" title name'
    b1_part = ', bound1 with lines dashtype 2 linewidth 2 linecolor rgb "#c02020" title boundname'
    b2_part = ', bound2 with lines dashtype 2 linewidth 2 linecolor rgb "#c02020" notitle'
    best_part = ', datafile using 1:(($1 == best) ? $2 : 1/0) with points pointtype 6 pointsize 2.5 linewidth 2 linecolor rgb "#c02020" title "best candidate"'
    ci = nci > 0 ? (band != 0 ? band_part : bars_part) : ""
    eval "plot " . ci . line_part . (nbound >= 1 ? b1_part : "") . (nbound >= 2 ? b2_part : "") . (best > 0 ? best_part : "")
    set output
}
