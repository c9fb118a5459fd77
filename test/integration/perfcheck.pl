#!/usr/bin/perl
# perfcheck.pl golden FILE...   every golden output's perfdata, parsed by
#                               Monitoring::Plugin::Performance, equals the raw text
# perfcheck.pl icinga FILE      every perfdata item of an Icinga 2 check result
#                               (JSON from its API), as Icinga parsed it, equals the raw text
use strict;
use warnings;
use JSON::PP;
use Monitoring::Plugin::Performance;

my %unit_scale = ('' => ['', 1], 'B' => ['bytes', 1], 'c' => ['', 1], 'ms' => ['seconds', 0.001], 's' => ['seconds', 1], '%' => ['percent', 1]);
my $problems = 0;
sub problem { print "PROBLEM: @_\n"; $problems++ }

# raw_items: the perfdata after the '|' of the line that has one.
sub raw_items {
    my ($text, $what) = @_;
    my @lines = grep { /\|/ } split /\n/, $text;
    problem(($what // '')." has more than one line with '|'") if @lines > 1;
    return () unless @lines;
    (my $perf = $lines[0]) =~ s/^.*?\|//;
    my @items;
    # Plugins quote labels; Icinga stores them unquoted.
    while ($perf =~ /\s*(?:'([^']*)'|([^\s='|]+))=(\S*)/g) {
        my ($label, $rest) = ($1 // $2, $3);
        my ($value, $warn, $crit, $min, $max) = split /;/, $rest, -1;
        my ($num, $uom) = $value =~ /^(-?[0-9.]+)(\D*)$/ or do { problem("bad value in '$label'=$rest"); next };
        push @items, { label => $label, value => $num, uom => $uom, warn => $warn // '', crit => $crit // '', min => $min // '', max => $max // '' };
    }
    return @items;
}

my $mode = shift @ARGV // '';
if ($mode eq 'golden') {
    my $n = 0;
    for my $file (@ARGV) {
        open my $fh, '<', $file or die "$file: $!";
        my $text = do { local $/; <$fh> };
        $text =~ s/\nexit=\d+\n\z/\n/;
        next if $text =~ /\AUsage:/;    # --help text, not a check result
        my @raw = raw_items($text, $file);
        next unless @raw;
        (my $perf = (grep { /\|/ } split /\n/, $text)[0]) =~ s/^.*?\|//;
        my @parsed = Monitoring::Plugin::Performance->parse_perfstring($perf);
        problem("$file: ".scalar(@raw)." items, Monitoring::Plugin::Performance returned ".scalar(@parsed)) if @parsed != @raw;
        for my $i (0 .. $#raw) {
            my ($r, $p) = ($raw[$i], $parsed[$i]) or next;
            next unless $p;
            my %got = (label => $p->label, value => $p->value, uom => $p->uom // '',
                       warn => defined $p->threshold->warning->end || defined $p->threshold->warning->start ? $p->threshold->warning . '' : '',
                       crit => defined $p->threshold->critical->end || defined $p->threshold->critical->start ? $p->threshold->critical . '' : '',
                       min => $p->min // '', max => $p->max // '');
            for my $k (qw(label value uom min max)) {
                problem("$file: item $r->{label}: $k raw '$r->{$k}', parsed '$got{$k}'") if "$got{$k}" ne "$r->{$k}" && !($k eq 'value' && $got{$k} == $r->{$k});
            }
            for my $k (qw(warn crit)) {
                next if $r->{$k} eq '';
                problem("$file: item $r->{label}: $k raw '$r->{$k}', parsed '$got{$k}'") if $got{$k} ne $r->{$k};
            }
            $n++;
        }
    }
    print "perfcheck: $n perfdata items of ".scalar(@ARGV)." golden files parse identically with Monitoring::Plugin::Performance\n";
} elsif ($mode eq 'icinga') {
    my $file = shift @ARGV;
    open my $fh, '<', $file or die "$file: $!";
    my $doc = decode_json(do { local $/; <$fh> });
    for my $svc (@{ $doc->{services} }) {
        my @raw = raw_items($svc->{raw}, $svc->{name});
        my @parsed = @{ $svc->{perfdata} };
        problem("$svc->{name}: ".scalar(@raw)." raw items, Icinga parsed ".scalar(@parsed)) if @raw != @parsed;
        for my $i (0 .. $#raw) {
            my ($r, $p) = ($raw[$i], $parsed[$i]);
            next unless $p;
            my ($unit, $scale) = @{ $unit_scale{$r->{uom}} // ['?', 1] };
            problem("$svc->{name}: label '$p->{label}' != '$r->{label}'") if $p->{label} ne $r->{label};
            problem("$svc->{name}: $r->{label} value $p->{value} != $r->{value}") if abs($p->{value} - $r->{value} * $scale) > 1e-9 * (1 + abs($p->{value}));
            problem("$svc->{name}: $r->{label} unit '".($p->{unit}//'')."' != '$unit'") if ($p->{unit} // '') ne $unit;
            for my $k (qw(min max)) {
                next if $r->{$k} eq '';
                problem("$svc->{name}: $r->{label} $k ".($p->{$k}//'null')." != $r->{$k}") if !defined $p->{$k} || abs($p->{$k} - $r->{$k} * $scale) > 1e-9 * (1 + abs($p->{$k}));
            }
            for my $k (qw(warn crit)) {
                next if $r->{$k} eq '' || $r->{$k} =~ /[:@~]/; # Icinga keeps only plain numbers
                problem("$svc->{name}: $r->{label} $k ".($p->{$k}//'null')." != $r->{$k}") if !defined $p->{$k} || abs($p->{$k} - $r->{$k} * $scale) > 1e-9 * (1 + abs($p->{$k}));
            }
        }
    }
    print "perfcheck: Icinga 2 parsed every perfdata item of ".scalar(@{ $doc->{services} })." services as the raw text says\n";
} else {
    die "usage: perfcheck.pl golden FILE... | icinga FILE\n";
}
exit($problems ? 1 : 0);
