# cinderblock host agent, protocol version 1.
#
# The client starts this once per SSH session, as `perl -e <this file>` under the same
# `sudo -n` and `env LC_ALL=C PATH=...` that wrap a single command, and then sends it every
# command for that host over the one channel. A command then costs one fork+exec on the host
# instead of a new channel, a login shell, env and timeout(1). Only modules from perl-base
# (Essential on Debian and Ubuntu) are used, and no Time::HiRes: it is not in perl-base.
#
# Protocol. Both directions are byte streams of frames. Every length is a decimal count of
# bytes, so a payload may hold any byte (newlines, NUL, bytes that are not UTF-8).
#
#   agent -> client, once, first:
#     READY <version>\n
#   client -> agent:
#     RUN <id> <timeoutMs> <argc> <stdinLen>\n
#       then argc times <len>\n<bytes> (the argv), then <stdinLen> bytes of stdin.
#       argv is executed directly (execvp, no shell parses anything), in a new session and
#       process group. stdinLen 0 gives the command /dev/null as stdin. timeoutMs 0: no
#       deadline. ids are decimal, chosen by the client, unique among running commands.
#     CANCEL <id>\n
#       Stops the command as its deadline would (unknown or finished ids are ignored).
#   agent -> client, per command, in this order:
#     OUT <id> <len>\n<bytes>      stdout, as it arrives
#     ERR <id> <len>\n<bytes>      stderr, as it arrives
#     EXIT <id> <code|-> <signal|-> <timedOut 0|1>\n
#       Last frame of a command, sent once it has exited and its stdout and stderr are closed.
#       signal is a name without SIG (TERM, KILL); `- -` means no status (the command could
#       not be started; an ERR frame says why).
#
# Stopping: at the deadline (or on CANCEL) the whole process group gets TERM, and KILL 3 s
# later, so helpers a command started die with it. When stdin ends (the client is gone or
# closed the channel) or stdout cannot be written, every running group is stopped the same
# way and the agent exits: nothing it started lingers on the host. A malformed request is
# reported on stderr and handled the same way (exit status 2).
#
# Output is written with blocking writes: a client that reads slowly slows the commands
# down (their pipes fill up) instead of growing memory here.

use strict;
use warnings;
use Config;
use Errno qw(EAGAIN EINTR ENOENT);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK O_RDONLY);
use POSIX qw(WNOHANG);

my $VERSION = 1;
my $KILL_AFTER_MS = 3000;
my $CHUNK = 65536;
my $MAX_HEADER = 4096;

# Milliseconds from an arbitrary start, never going back; POSIX::times' first value is the
# elapsed real time in clock ticks (10 ms on Linux), which is fine enough for deadlines.
my $TICKS_PER_SECOND = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
sub now_ms { return (POSIX::times())[0] * 1000 / $TICKS_PER_SECOND; }

my @SIGNAL_NAME;
{
    my @names = split ' ', $Config{sig_name};
    my @numbers = split ' ', $Config{sig_num};
    for my $i (0 .. $#names) { $SIGNAL_NAME[$numbers[$i]] //= $names[$i]; }
}

my %jobs;         # id => running command
my %job_of_pid;   # pid (also its process group id) => running command
my @late_kills;   # [pgid, at_ms]: KILLs still due to groups whose command already ended
my $requests = '';

# A write to a client that is gone must fail with EPIPE (and lead to the clean-up) instead of
# killing the agent outright. Children get the default back before exec.
$SIG{PIPE} = 'IGNORE';
binmode STDIN;
binmode STDOUT;

sub send_bytes {
    my ($data) = @_;
    my $offset = 0;
    while ($offset < length $data) {
        my $written = syswrite(STDOUT, $data, length($data) - $offset, $offset);
        if (defined $written) { $offset += $written; next; }
        next if $! == EINTR;
        stop_everything_and_exit(0);
    }
}

sub stop_everything_and_exit {
    my ($status) = @_;
    my @groups = ((map { $_->{pid} } values %jobs), (map { $_->[0] } @late_kills));
    kill 'TERM', map { -$_ } @groups if @groups;
    my $until = now_ms() + $KILL_AFTER_MS;
    while (@groups && now_ms() < $until) {
        1 while waitpid(-1, WNOHANG) > 0;
        @groups = grep { kill 0, -$_ } @groups;
        select(undef, undef, undef, 0.05) if @groups;
    }
    kill 'KILL', map { -$_ } @groups if @groups;
    POSIX::_exit($status);
}

sub protocol_error {
    my ($message) = @_;
    syswrite(STDERR, "cinderblock agent: $message\n");
    stop_everything_and_exit(2);
}

sub start_command {
    my ($id, $timeout_ms, $argv, $stdin) = @_;
    protocol_error("command id $id is already running") if $jobs{$id};
    protocol_error("command $id has no program") unless @$argv;
    my ($out_r, $out_w, $err_r, $err_w, $in_r, $in_w);
    unless (pipe($out_r, $out_w) && pipe($err_r, $err_w) && (length($stdin) == 0 || pipe($in_r, $in_w))) {
        return refuse($id, "cannot create pipes: $!");
    }
    my $pid = fork();
    return refuse($id, "cannot fork: $!") unless defined $pid;
    run_child($argv, $in_r, $out_w, $err_w) if $pid == 0;

    close $out_w;
    close $err_w;
    if ($in_w) {
        close $in_r;
        fcntl($in_w, F_SETFL, fcntl($in_w, F_GETFL, 0) | O_NONBLOCK);
    }
    my $job = {
        id => $id,
        pid => $pid,
        out => $out_r,
        err => $err_r,
        in => $in_w,
        stdin => $stdin,
        stdin_offset => 0,
        deadline => $timeout_ms > 0 ? now_ms() + $timeout_ms : undef,
        stopping => 0,
        kill_at => undef,
        timed_out => 0,
        status => undef,
        poll_ms => 1,
        poll_at => undef,
    };
    $jobs{$id} = $job;
    $job_of_pid{$pid} = $job;
}

sub refuse {
    my ($id, $message) = @_;
    my $text = "cinderblock agent: $message\n";
    send_bytes('ERR ' . $id . ' ' . length($text) . "\n" . $text . "EXIT $id - - 0\n");
}

# In the forked child: its own session and process group, the pipes as 0/1/2, then execvp.
# Perl marks every descriptor above 2 close-on-exec, so no other command's pipes leak in.
sub run_child {
    my ($argv, $in_r, $out_w, $err_w) = @_;
    POSIX::setsid();
    $SIG{PIPE} = 'DEFAULT';
    my $in_fd = $in_r ? fileno($in_r) : POSIX::open('/dev/null', O_RDONLY);
    POSIX::dup2($in_fd, 0);
    POSIX::close($in_fd) unless $in_r;
    POSIX::dup2(fileno($out_w), 1);
    POSIX::dup2(fileno($err_w), 2);
    {
        no warnings 'exec';
        exec { $argv->[0] } @$argv;
    }
    my $not_found = $! == ENOENT;
    syswrite(STDERR, "$argv->[0]: $!\n");
    POSIX::_exit($not_found ? 127 : 126);
}

sub stop_group {
    my ($job, $now) = @_;
    return if $job->{stopping};
    $job->{stopping} = 1;
    kill 'TERM', -$job->{pid};
    $job->{kill_at} = $now + $KILL_AFTER_MS;
}

sub parse_requests {
    for (;;) {
        my $newline = index($requests, "\n");
        if ($newline < 0) {
            protocol_error('request header too long') if length($requests) > $MAX_HEADER;
            return;
        }
        my $header = substr($requests, 0, $newline);
        if ($header =~ /\ACANCEL (\d+)\z/) {
            substr($requests, 0, $newline + 1, '');
            stop_group($jobs{$1}, now_ms()) if $jobs{$1};
            next;
        }
        my ($id, $timeout_ms, $argc, $stdin_length) = $header =~ /\ARUN (\d+) (\d+) (\d+) (\d+)\z/
            or protocol_error('malformed request: ' . substr($header, 0, 80));
        # Wait until the whole request is here, then take it off the buffer in one go.
        my $position = $newline + 1;
        my @argv;
        for (1 .. $argc) {
            my $end = index($requests, "\n", $position);
            return if $end < 0;
            my $length = substr($requests, $position, $end - $position);
            protocol_error("malformed argument length in request $id") unless $length =~ /\A\d+\z/;
            $position = $end + 1;
            return if length($requests) < $position + $length;
            push @argv, substr($requests, $position, $length);
            $position += $length;
        }
        return if length($requests) < $position + $stdin_length;
        my $stdin = substr($requests, $position, $stdin_length);
        substr($requests, 0, $position + $stdin_length, '');
        start_command($id, $timeout_ms, \@argv, $stdin);
    }
}

sub read_requests {
    my $count = sysread(STDIN, my $buffer, 1 << 18);
    if (!defined $count) {
        return if $! == EINTR || $! == EAGAIN;
        stop_everything_and_exit(0);
    }
    stop_everything_and_exit(0) if $count == 0;
    $requests .= $buffer;
    parse_requests();
}

sub forward_output {
    my ($job, $key, $tag) = @_;
    my $count = sysread($job->{$key}, my $buffer, $CHUNK);
    if (!defined $count) {
        return if $! == EINTR || $! == EAGAIN;
        $count = 0;
    }
    if ($count == 0) {
        close $job->{$key};
        $job->{$key} = undef;
        return;
    }
    send_bytes("$tag $job->{id} $count\n" . $buffer);
}

sub feed_input {
    my ($job) = @_;
    my $left = length($job->{stdin}) - $job->{stdin_offset};
    my $written = syswrite($job->{in}, $job->{stdin}, $left, $job->{stdin_offset});
    if (!defined $written) {
        return if $! == EINTR || $! == EAGAIN;
        $written = $left; # EPIPE: the command stopped reading; the rest is dropped.
    }
    $job->{stdin_offset} += $written;
    if ($job->{stdin_offset} >= length $job->{stdin}) {
        close $job->{in};
        $job->{in} = undef;
        $job->{stdin} = '';
    }
}

sub reap {
    while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
        my $job = delete $job_of_pid{$pid} or next;
        $job->{status} = $?;
    }
}

sub report_finished {
    for my $job (values %jobs) {
        next if !defined $job->{status} || $job->{out} || $job->{err};
        close $job->{in} if $job->{in};
        delete $jobs{$job->{id}};
        # A stopped group's KILL stays due even though its leader is gone: helpers it
        # started may still be running, ignoring TERM.
        push @late_kills, [$job->{pid}, $job->{kill_at}] if defined $job->{kill_at};
        my $status = $job->{status};
        my ($code, $signal) = ('-', '-');
        if ($status & 127) { $signal = $SIGNAL_NAME[$status & 127] // ($status & 127); }
        else { $code = $status >> 8; }
        send_bytes("EXIT $job->{id} $code $signal $job->{timed_out}\n");
    }
}

sub run_timers {
    my ($now) = @_;
    for my $job (values %jobs) {
        if (defined $job->{deadline} && !$job->{stopping} && $now >= $job->{deadline}) {
            $job->{timed_out} = 1;
            stop_group($job, $now);
        }
        if (defined $job->{kill_at} && $now >= $job->{kill_at}) {
            kill 'KILL', -$job->{pid};
            $job->{kill_at} = undef;
        }
    }
    @late_kills = grep {
        my $due = $now >= $_->[1];
        kill 'KILL', -$_->[0] if $due;
        !$due;
    } @late_kills;
}

# Seconds select may sleep: until the next deadline or KILL, or a short, growing poll for a
# command whose pipes closed before waitpid could collect it (its exit is a moment away, or
# it closed its output and runs on). undef: nothing is due, wait for input.
sub next_wait {
    my ($now) = @_;
    my $next;
    my $consider = sub { $next = $_[0] if defined $_[0] && (!defined $next || $_[0] < $next); };
    for my $job (values %jobs) {
        $consider->($job->{deadline}) unless $job->{stopping};
        $consider->($job->{kill_at});
        if (!defined $job->{status} && !$job->{out} && !$job->{err}) {
            if (!defined $job->{poll_at} || $now >= $job->{poll_at}) {
                $job->{poll_at} = $now + $job->{poll_ms};
                $job->{poll_ms} *= 2 if $job->{poll_ms} < 100;
            }
            $consider->($job->{poll_at});
        }
    }
    $consider->($_->[1]) for @late_kills;
    return undef unless defined $next;
    my $wait = ($next - $now) / 1000;
    return $wait > 0 ? $wait : 0;
}

send_bytes("READY $VERSION\n");
for (;;) {
    reap();
    report_finished();
    my $now = now_ms();
    run_timers($now);
    my ($read_set, $write_set) = ('', '');
    vec($read_set, fileno(STDIN), 1) = 1;
    for my $job (values %jobs) {
        vec($read_set, fileno($job->{out}), 1) = 1 if $job->{out};
        vec($read_set, fileno($job->{err}), 1) = 1 if $job->{err};
        vec($write_set, fileno($job->{in}), 1) = 1 if $job->{in};
    }
    my $ready = select(my $readable = $read_set, my $writable = $write_set, undef, next_wait($now));
    if ($ready < 0) {
        next if $! == EINTR;
        syswrite(STDERR, "cinderblock agent: select failed: $!\n");
        stop_everything_and_exit(2);
    }
    next if $ready == 0;
    # Commands started by these requests have no bits in this round's sets.
    my @running = values %jobs;
    read_requests() if vec($readable, fileno(STDIN), 1);
    for my $job (@running) {
        forward_output($job, 'out', 'OUT') if $job->{out} && vec($readable, fileno($job->{out}), 1);
        forward_output($job, 'err', 'ERR') if $job->{err} && vec($readable, fileno($job->{err}), 1);
        feed_input($job) if $job->{in} && vec($writable, fileno($job->{in}), 1);
    }
}
