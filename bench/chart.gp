# chart.gp - gnuplot: the chart of a `make bench` run, drawn in its results directory from
# rps.dat ("label" req/s config) and <config>-<target>[-<conns>].dist (percentile, ms).
# One column per PostgreSQL configuration: throughput above, latency distribution below.
if (!exists("outfile")) outfile = 'bench.png'
configs = system("awk '{print $NF}' rps.dat | awk '!seen[$0]++' | tr '\\n' ' '")
n = words(configs)
set terminal pngcairo size (n > 1 ? 1400 : 800),1000 font 'sans,10'
set output outfile
set multiplot layout 2,n columnsfirst title "PhoneCalls: StopRecording/StartRecording PUTs against the database's limit"

do for [cfg in configs] {
	# Throughput, one bar per target (log scale: the HTTP floor is far above the rest).
	set title sprintf("requests/s, %s", cfg eq "durable" ? "synchronous\\_commit = on" : "synchronous\\_commit = off")
	set style data histograms
	set style fill solid 0.6 border -1
	set boxwidth 0.8
	set logscale y
	set yrange [100:*]
	set xrange [*:*]
	set xtics rotate by -30 nomirror
	set grid ytics
	unset key
	plot sprintf("< grep '%s$' rps.dat", cfg) using 2:xtic(1) lc rgb "#3b6ea5", \
	     '' using 0:2:(sprintf("%.0f", $2)) with labels offset 0,0.7 notitle

	# Latency distribution: percentile -> milliseconds (log scale).
	set title sprintf("latency by percentile, %s", cfg)
	set style data lines
	set xrange [1:100]
	set yrange [*:*]
	set xtics 10 norotate
	set xlabel "percentile"
	set ylabel "ms"
	set key top left
	files = system(sprintf("ls %s-*.dist 2>/dev/null", cfg))
	plot for [f in files] f using 1:2 with lines lw 2 title f[strlen(cfg) + 2:strlen(f) - 5]
	unset logscale y
	unset xlabel
	unset ylabel
}
unset multiplot
