#!/usr/bin/perl
# A stand-in for `lvm` on a test host. Called `lvm` without arguments it plays LVM's shell
# as lvmdbusd drives it: a command line on stdin, one pretty-printed JSON document on
# $LVM_REPORT_FD, `lastlog` for the errors of the last command. Words in a command line pick
# what happens (see below); every start and line is appended to $FAKE_LVM_LOG. Called by
# any other name (lvs, vgs) or with arguments it is a standalone command that says so.
use strict;
use warnings;
use File::Basename qw(basename);

my $name = basename($0);
if ($name ne 'lvm' || @ARGV) {
    print "standalone $name @ARGV\n";
    exit 0;
}
my $log_path = $ENV{FAKE_LVM_LOG};
sub note {
    return unless $log_path;
    open(my $log, '>>', $log_path) or die "$log_path: $!";
    print $log "$_[0]\n";
    close $log;
}
if (($ENV{LVM_COMMAND_PROFILE} // '') ne 'lvmdbusd' || ($ENV{LVM_REPORT_FD} // '') ne '3' || ($ENV{LC_ALL} // '') ne 'C') {
    print STDERR "fake lvm: started without the lvmdbusd profile, LVM_REPORT_FD=3 and LC_ALL=C\n";
    exit 3;
}
open(my $report, '>&=', 3) or die "fd 3: $!";
note("start $$");

my $sequence = 0;
my @last_errors;

sub status_entry {
    my ($command, $ret) = @_;
    $sequence++;
    return qq(      {"log_seq_num":"$sequence", "log_type":"status", "log_context":"shell", "log_object_type":"cmd", "log_object_name":"$command", "log_object_id":"", "log_object_group":"", "log_object_group_id":"", "log_message":"@{[$ret == 1 ? 'success' : 'failure']}", "log_errno":"0", "log_ret_code":"$ret"});
}

sub error_entry {
    my ($message) = @_;
    $sequence++;
    (my $escaped = $message) =~ s/(["\\])/\\$1/g;
    return qq(      {"log_seq_num":"$sequence", "log_type":"error", "log_context":"processing", "log_object_type":"cmd", "log_object_name":"", "log_object_id":"", "log_object_group":"", "log_object_group_id":"", "log_message":"$escaped", "log_errno":"-1", "log_ret_code":"0"});
}

sub document {
    my ($report_text, @log) = @_;
    my $text = "  {\n";
    $text .= qq(      "report": [\n$report_text\n      ]\n      ,\n) if defined $report_text;
    $text .= qq(      "log": [\n) . join(",\n", @log) . "\n      ]\n  }\n";
    return $text;
}

sub emit {
    my ($text, $trickle) = @_;
    if (!$trickle) {
        syswrite($report, $text);
        return;
    }
    # In pieces, so the reader sees documents cut anywhere (inside strings, after a backslash).
    for my $i (0 .. length($text) - 1) {
        syswrite($report, substr($text, $i, 1));
        select(undef, undef, undef, 0.001) if $i % 40 == 0;
    }
}

while (my $line = <STDIN>) {
    chomp $line;
    note("line $$ $line");
    my ($command, @words) = split ' ', $line;
    $command //= '';
    my %has = map { $_ => 1 } @words;
    if ($command eq 'lastlog') {
        my @errors = map { error_entry($_) } @last_errors;
        emit(document(undef, @errors, status_entry('lastlog', 1)));
        next;
    }
    @last_errors = ();
    for my $word (@words) {
        select(undef, undef, undef, $1) if $word =~ /\Asleep=([\d.]+)\z/;
    }
    $SIG{TERM} = 'IGNORE' if $has{stubborn};
    if ($has{hang}) {
        sleep 1000 while 1;
    }
    if ($has{die} || $has{exit0}) {
        emit(qq(  {\n      "report": [\n          {\n              "lv": [\n));
        kill 'KILL', $$ if $has{die};
        exit 0;
    }
    if ($has{nostatus}) {
        emit(document(qq(          {"lv": [ ]})));
        next;
    }
    my ($missing_vg) = grep { $_ eq 'nosuchvg' } @words;
    my ($missing_lv) = grep { m{\A[\w-]+/nosuchlv\z} } @words;
    if ($missing_vg || $missing_lv) {
        @last_errors = $missing_vg
            ? ('Volume group "nosuchvg" not found', 'Cannot process volume group nosuchvg')
            : (qq(Failed to find logical volume "$missing_lv"));
        emit(document(qq(          {\n              "vg": [\n              ]\n          }), status_entry($command, 5)));
        next;
    }
    my $rows = join(",\n",
        qq(                  {"lv_name":"volume-1", "lv_tags":"cb{\\"odd}}\\\\", "line":"$line", "pid":"$$"}),
        qq(                  {"lv_name":"volume-2", "lv_tags":"{{\\\\\\"", "lv_attr":"\\"log\\": [{\\"log_context\\":\\"shell\\", \\"log_ret_code\\":\\"9\\"}]", "line":"$line", "pid":"$$"}));
    emit(document(qq(          {\n              "lv": [\n$rows\n              ]\n          }), status_entry($command, 1)), $has{trickle});
}
note("exit $$");
emit(document(undef));
exit 0;
