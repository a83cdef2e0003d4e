# media-chart.gp - gnuplot: the chart of a `make bench-media` run, drawn in its results
# directory from cut.dist (percentile, then ms from the 202 to the last packet, to the
# engine's confirmation, and to the adapter's request) and rps.dat (condition, req/s).
# Left: the cut's distribution with the issue's targets; right: the API's throughput with
# the media plane off, with pc-events reading the stream, with the adapter alone, and on.
if (!exists("outfile")) outfile = 'bench-media.png'
set terminal pngcairo size 1400,600 font 'sans,10'
set output outfile
set multiplot layout 1,2 title "PhoneCalls: StopRecording's 202 to the recording's cut, and the API with the media plane"

set title "ms from the 202 leaving nginx, by percentile of the stops"
set style data lines
set xrange [1:100]
set xtics 10
set xlabel "percentile"
set ylabel "ms"
set grid
set key bottom right
# the targets as two points (the y range takes them in)
$targets << EOD
50 25
99 60
EOD
plot 'cut.dist' using 1:2 lw 2 title "last packet written (the cut)", \
     '' using 1:3 lw 2 title "engine confirmed the stop", \
     '' using 1:4 lw 2 title "adapter sent the stop", \
     $targets using 1:2 with points pt 7 ps 1.5 lc rgb "#c03030" title "targets: p50 25 ms, p99 60 ms"
unset xlabel
unset ylabel

# (no throughput rounds: PC_BENCH_ROUNDS=0)
if (system("wc -l < rps.dat") + 0 == 0) { unset multiplot; exit }
set title "requests/s, StopRecording/StartRecording PUTs (wrk)"
set style data histograms
set style fill solid 0.6 border -1
set boxwidth 0.6
set xrange [*:*]
stats 'rps.dat' using 2 nooutput
set yrange [0:STATS_max * 1.12]
set xtics norotate
unset key
plot 'rps.dat' using 2:xtic(1) lc rgb "#3b6ea5", \
     '' using 0:2:(sprintf("%.0f", $2)) with labels offset 0,0.7 notitle
unset multiplot
