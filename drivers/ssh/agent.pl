# cinderblock host agent, protocol version 2.
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
# Arguments: the lvm shell's command (default `lvm`), see @LVM_SHELL_ARGV.
#
#   agent -> client, once, first:
#     READY <version>[ <capability>...]\n
#       Capability `lvm-shell`: LVM requests are served (the host has LVM's lvmdbusd profile).
#   client -> agent:
#     RUN <id> <timeoutMs> <argc> <stdinLen>\n
#       then argc times <len>\n<bytes> (the argv), then <stdinLen> bytes of stdin.
#       argv is executed directly (execvp, no shell parses anything), in a new session and
#       process group. stdinLen 0 gives the command /dev/null as stdin. timeoutMs 0: no
#       deadline. ids are decimal, chosen by the client, unique among unfinished requests.
#     LVM <id> <timeoutMs> <argc>\n
#       then argc times <len>\n<bytes>: an LVM command (`lvs ...`, or `lvm fullreport ...`
#       whose `lvm` is dropped) for the agent's one persistent `lvm` shell. Every element must
#       match [A-Za-z0-9_.,:=+/@%-]+ (LVM's shell splits its line on blanks). LVM requests run
#       one at a time, in arrival order, while RUN commands go on beside them; the deadline
#       counts from arrival. Answered with the same frames as RUN: OUT is the command's JSON
#       report, ERR its error messages, EXIT the exit code the command would have had alone.
#     CANCEL <id>\n
#       Stops the command as its deadline would (unknown or finished ids are ignored).
#   agent -> client, per command, in this order:
#     OUT <id> <len>\n<bytes>      stdout, as it arrives
#     ERR <id> <len>\n<bytes>      stderr, as it arrives
#     EXIT <id> <code|-> <signal|-> <timedOut 0|1>\n
#       Last frame of a command, sent once it has exited and its stdout and stderr are closed.
#       signal is a name without SIG (TERM, KILL); `- -` means no status (the command could
#       not be started, or an LVM request ended before its turn; an ERR frame may say why).
#
# Stopping: at the deadline (or on CANCEL) the whole process group gets TERM, and KILL 3 s
# later, so helpers a command started die with it. When stdin ends (the client is gone or
# closed the channel) or stdout cannot be written, every running group is stopped the same
# way and the agent exits: nothing it started lingers on the host. A malformed request is
# reported on stderr and handled the same way (exit status 2).
#
# Output is written with blocking writes: a client that reads slowly slows the commands
# down (their pipes fill up) instead of growing memory here.
#
# The lvm shell. Every lvm process pays its start-up (hundreds of ms on a slow host); one
# `lvm` reading commands on stdin pays it once, as lvmdbusd does. It is started on the first
# LVM request with LVM's own lvmdbusd profile (JSON reports) and LVM_REPORT_FD=3: each
# command line yields exactly one JSON document on fd 3, whose log holds the command's status
# (the entry with log_context "shell"; log_ret_code 1 is success, anything else the exit code).
# The messages of a failed command are not on stderr: the `lastlog` command reports them, and
# they become the request's stderr, one per line, indented by two spaces as lvm prints them.
# At a deadline or CANCEL the shell's group is stopped like a command's and the next LVM
# request starts a new shell; so does one that died.

use strict;
use warnings;
use Config;
use Errno qw(EAGAIN EINTR ENOENT);
use Fcntl qw(F_GETFL F_SETFD F_SETFL O_NONBLOCK O_RDONLY O_WRONLY);
use POSIX qw(WNOHANG);

my $VERSION = 2;
my $KILL_AFTER_MS = 3000;
my $CHUNK = 65536;
my $MAX_HEADER = 4096;
# The profile ships with lvm2 (for lvmdbusd); without it the shell's reports would be text.
# The override is for tests: sudo resets the environment, sshd passes none of it.
my $LVM_PROFILE = $ENV{CINDERBLOCK_LVM_PROFILE} // '/etc/lvm/profile/lvmdbusd.profile';
my $LVM_SHELL = -r $LVM_PROFILE;
# The shell's command: the agent's arguments when given (`sudo -n -C 4 -- /usr/sbin/lvm` on a
# sudo host, where the agent itself runs as the SSH user), else plain `lvm`.
my @LVM_SHELL_ARGV = @ARGV ? @ARGV : ('lvm');
my $LVM_SAFE_WORD = qr{\A[A-Za-z0-9_.,:=+/\@%-]+\z};
# Written to the shell's stdin in one blocking write: far below a pipe's capacity.
my $MAX_LVM_LINE = 16384;

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
my @lvm_queue;    # LVM requests waiting for the shell, oldest first
my $lvm_request;  # the LVM request the shell is answering
my $lvm;          # the lvm shell: its pid (and group), pipes, and what fd 3 said so far
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
    my @groups = ((map { $_->{pid} } values %jobs), (map { $_->[0] } @late_kills), ($lvm ? $lvm->{pid} : ()));
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

sub id_in_use {
    my ($id) = @_;
    return 1 if $jobs{$id} || ($lvm_request && $lvm_request->{id} eq $id);
    return scalar grep { $_->{id} eq $id } @lvm_queue;
}

sub start_command {
    my ($id, $timeout_ms, $argv, $stdin) = @_;
    protocol_error("command id $id is already running") if id_in_use($id);
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
            if ($jobs{$1}) { stop_group($jobs{$1}, now_ms()); }
            else { cancel_lvm($1); }
            next;
        }
        my ($kind, $id, $timeout_ms, $argc, $stdin_length) = $header =~ /\A(RUN) (\d+) (\d+) (\d+) (\d+)\z/;
        ($kind, $id, $timeout_ms, $argc) = $header =~ /\A(LVM) (\d+) (\d+) (\d+)\z/ unless $kind;
        protocol_error('malformed request: ' . substr($header, 0, 80)) unless $kind;
        $stdin_length //= 0;
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
        if ($kind eq 'RUN') { start_command($id, $timeout_ms, \@argv, $stdin); }
        else { queue_lvm($id, $timeout_ms, \@argv); }
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
        my $status = $?;
        if ($lvm && $pid == $lvm->{pid}) {
            lvm_shell_exited($status);
            next;
        }
        my $job = delete $job_of_pid{$pid} or next;
        $job->{status} = $status;
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
    run_lvm_timers($now);
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
    $consider->($_) for lvm_due($now);
    return undef unless defined $next;
    my $wait = ($next - $now) / 1000;
    return $wait > 0 ? $wait : 0;
}

# ---- The lvm shell ----

sub send_frame {
    my ($tag, $id, $data) = @_;
    send_bytes("$tag $id " . length($data) . "\n" . $data) if length $data;
}

sub queue_lvm {
    my ($id, $timeout_ms, $argv) = @_;
    protocol_error("command id $id is already running") if id_in_use($id);
    my @words = @$argv;
    shift @words if @words && $words[0] eq 'lvm';
    return refuse($id, 'this host has no lvm shell') unless $LVM_SHELL;
    return refuse($id, 'an LVM request needs a command') unless @words;
    for my $word (@words) {
        return refuse($id, 'not a word for the lvm shell: ' . substr($word, 0, 80)) unless $word =~ $LVM_SAFE_WORD;
    }
    my $line = join(' ', @words) . "\n";
    return refuse($id, 'command line too long for the lvm shell') if length($line) > $MAX_LVM_LINE;
    push @lvm_queue, {
        id => $id,
        line => $line,
        deadline => $timeout_ms > 0 ? now_ms() + $timeout_ms : undef,
        timed_out => 0,
        phase => 'queued',
        code => undef,
    };
    lvm_next();
}

# A shell that is stopping, or whose fd 3 closed, is on its way out: the next request waits
# for it to be reaped and then gets a new one.
sub lvm_usable {
    return $lvm && !$lvm->{stopping} && !defined $lvm->{status} && $lvm->{report};
}

sub lvm_next {
    return if $lvm_request || !@lvm_queue;
    return if $lvm && !lvm_usable();
    $lvm_request = shift @lvm_queue;
    unless ($lvm) {
        my $error = start_lvm_shell();
        if (defined $error) {
            my $request = $lvm_request;
            $lvm_request = undef;
            refuse($request->{id}, $error);
            return lvm_next();
        }
    }
    $lvm_request->{phase} = 'command';
    write_to_lvm($lvm_request->{line});
}

sub start_lvm_shell {
    my ($in_r, $in_w, $report_r, $report_w, $err_r, $err_w);
    unless (pipe($in_r, $in_w) && pipe($report_r, $report_w) && pipe($err_r, $err_w)) {
        return "cannot create pipes: $!";
    }
    my $pid = fork();
    return "cannot fork: $!" unless defined $pid;
    if ($pid == 0) {
        POSIX::setsid();
        $SIG{PIPE} = 'DEFAULT';
        POSIX::dup2(fileno($in_r), 0);
        # stdout only ever gets a newline at exit; the reports come on fd 3.
        my $null = POSIX::open('/dev/null', O_WRONLY);
        POSIX::dup2($null, 1);
        POSIX::dup2(fileno($err_w), 2);
        # dup2 onto itself would leave fd 3 close-on-exec, as Perl opened it.
        if (fileno($report_w) == 3) { fcntl($report_w, F_SETFD, 0); }
        else { POSIX::dup2(fileno($report_w), 3); }
        @ENV{qw(LVM_COMMAND_PROFILE LVM_REPORT_FD LC_ALL)} = ('lvmdbusd', '3', 'C');
        {
            no warnings 'exec';
            exec { $LVM_SHELL_ARGV[0] } @LVM_SHELL_ARGV;
        }
        my $not_found = $! == ENOENT;
        syswrite(STDERR, "lvm: $!\n");
        POSIX::_exit($not_found ? 127 : 126);
    }
    close $in_r;
    close $report_w;
    close $err_w;
    # Non-blocking, so what a dead shell left in its pipes can be read to the end.
    fcntl($_, F_SETFL, fcntl($_, F_GETFL, 0) | O_NONBLOCK) for $report_r, $err_r;
    $lvm = {
        pid => $pid,
        in => $in_w,
        report => $report_r,
        err => $err_r,
        buffer => '',
        scanned => 0,
        depth => 0,
        in_string => 0,
        status => undef,
        stopping => 0,
        kill_at => undef,
        poll_ms => 1,
        poll_at => undef,
    };
    return undef;
}

# The shell is idle when a line is written (one request at a time), so it goes into an empty
# pipe at once. A shell that died makes this fail with EPIPE; its exit ends the request.
sub write_to_lvm {
    my ($line) = @_;
    my $offset = 0;
    while ($offset < length $line) {
        my $written = syswrite($lvm->{in}, $line, length($line) - $offset, $offset);
        if (defined $written) { $offset += $written; next; }
        next if $! == EINTR;
        return;
    }
}

sub stop_lvm_shell {
    my ($now) = @_;
    return if $lvm->{stopping};
    $lvm->{stopping} = 1;
    kill 'TERM', -$lvm->{pid};
    $lvm->{kill_at} = $now + $KILL_AFTER_MS;
}

sub cancel_lvm {
    my ($id) = @_;
    if ($lvm_request && $lvm_request->{id} eq $id) {
        stop_lvm_shell(now_ms());
        return;
    }
    my $queued = grep { $_->{id} eq $id } @lvm_queue;
    return unless $queued;
    @lvm_queue = grep { $_->{id} ne $id } @lvm_queue;
    send_bytes("EXIT $id - - 0\n");
}

# True when something was read (call again), false at EOF or when nothing is waiting.
sub read_lvm_report {
    my $count = sysread($lvm->{report}, my $buffer, $CHUNK);
    return 0 if !defined $count && ($! == EINTR || $! == EAGAIN);
    if (!$count) {
        close $lvm->{report};
        $lvm->{report} = undef;
        return 0;
    }
    $lvm->{buffer} .= $buffer;
    lvm_progress();
    return 1;
}

# lvm's stderr in shell mode is normally empty; whatever it says belongs to the command it runs.
sub read_lvm_stderr {
    my $count = sysread($lvm->{err}, my $buffer, $CHUNK);
    return 0 if !defined $count && ($! == EINTR || $! == EAGAIN);
    if (!$count) {
        close $lvm->{err};
        $lvm->{err} = undef;
        return 0;
    }
    send_frame('ERR', $lvm_request->{id}, $buffer) if $lvm_request;
    return 1;
}

# Cuts the next complete JSON document off the shell's output: the bytes up to where the
# braces balance again, counting only braces outside strings.
sub next_document {
    my $buffer = \$lvm->{buffer};
    my $length = length $$buffer;
    my $at = $lvm->{scanned};
    while ($at < $length) {
        pos($$buffer) = $at;
        if ($lvm->{in_string}) {
            $$buffer =~ /\G[^"\\]*/gc;
            $at = pos($$buffer);
            last if $at >= $length;
            if (substr($$buffer, $at, 1) eq '"') {
                $lvm->{in_string} = 0;
                $at++;
                next;
            }
            last if $at + 1 >= $length; # The escaped byte is still on its way.
            $at += 2;
            next;
        }
        $$buffer =~ /\G[^{}"]*/gc;
        $at = pos($$buffer);
        last if $at >= $length;
        my $char = substr($$buffer, $at++, 1);
        if ($char eq '"') { $lvm->{in_string} = 1; }
        elsif ($char eq '{') { $lvm->{depth}++; }
        elsif ($lvm->{depth} > 0 && --$lvm->{depth} == 0) {
            my $document = substr($$buffer, 0, $at, '');
            $lvm->{scanned} = 0;
            $document =~ s/\A[^{]*//;
            return $document;
        }
    }
    $lvm->{scanned} = $at;
    return undef;
}

my %JSON_ESCAPES = ('"' => '"', '\\' => '\\', '/' => '/', b => "\b", f => "\f", n => "\n", r => "\r", t => "\t");

sub json_string {
    my ($text) = @_;
    $text =~ s{\\(?:u([0-9A-Fa-f]{4})|(.))}{
        if (defined $1) { my $char = chr(hex $1); utf8::encode($char); $char }
        else { $JSON_ESCAPES{$2} // $2 }
    }gse;
    return $text;
}

# The entries of a document's top-level "log" array, each a hash of its string members.
# Only that array is read: it comes last and is short, while a report can be large. The key
# cannot be matched inside a string, where every quote is escaped.
sub log_entries {
    my ($document) = @_;
    my $start;
    $start = $-[0] while $document =~ /"log"\s*:\s*\[/g;
    return () unless defined $start;
    pos($document) = $start;
    my (@entries, @open, $last_string, $key);
    while ($document =~ /\G\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([{}\[\]:,])|[^\s{}\[\]:,"]+)/gcs) {
        my ($string, $mark) = ($1, $2);
        if (defined $string) {
            $open[-1]{$key} = json_string($string) if defined $key && @open;
            $last_string = $string;
            $key = undef;
        } elsif (defined $mark && $mark eq ':') {
            $key = json_string($last_string // '');
        } else {
            $key = undef;
            if (defined $mark && $mark eq '{') { push @open, {}; }
            elsif (defined $mark && $mark eq '}' && @open) { push @entries, pop @open; }
        }
    }
    return @entries;
}

# The exit code the command would have had alone, from the shell's status entry; undef if
# the document has none.
sub command_status {
    my ($document) = @_;
    my ($status) = grep { ($_->{log_context} // '') eq 'shell' && defined $_->{log_ret_code} } reverse log_entries($document);
    return undef unless $status && $status->{log_ret_code} =~ /\A\d+\z/;
    return $status->{log_ret_code} == 1 ? 0 : $status->{log_ret_code};
}

sub end_lvm_request {
    my ($code, $signal) = @_;
    my $request = $lvm_request;
    $lvm_request = undef;
    send_bytes("EXIT $request->{id} $code $signal $request->{timed_out}\n");
    lvm_next();
}

sub lvm_progress {
    while ($lvm_request && !$lvm->{stopping}) {
        my $document = next_document() // return;
        my $id = $lvm_request->{id};
        if ($lvm_request->{phase} eq 'lastlog') {
            my @errors = grep { ($_->{log_type} // '') eq 'error' && defined $_->{log_message} } log_entries($document);
            send_frame('ERR', $id, join('', map { "  $_->{log_message}\n" } @errors));
            end_lvm_request($lvm_request->{code}, '-');
            next;
        }
        send_frame('OUT', $id, "$document\n");
        my $code = command_status($document);
        if (!defined $code) {
            send_frame('ERR', $id, "cinderblock agent: the lvm shell reported no status for this command\n");
            end_lvm_request(1, '-');
        } elsif ($code == 0) {
            end_lvm_request(0, '-');
        } else {
            $lvm_request->{code} = $code;
            $lvm_request->{phase} = 'lastlog';
            write_to_lvm("lastlog\n");
        }
    }
}

sub lvm_shell_exited {
    my ($status) = @_;
    $lvm->{status} = $status;
    # What it wrote before it went is still in the pipes.
    1 while $lvm->{report} && read_lvm_report();
    1 while $lvm->{err} && read_lvm_stderr();
    close $_ for grep { defined } @$lvm{qw(in report err)};
    # As for a command: a stopped group's KILL stays due, for helpers that ignore TERM.
    push @late_kills, [$lvm->{pid}, $lvm->{kill_at}] if defined $lvm->{kill_at};
    my $stopped = $lvm->{stopping};
    $lvm = undef;
    if ($lvm_request) {
        my $id = $lvm_request->{id};
        my ($code, $signal) = ('-', '-');
        if ($status & 127) { $signal = $SIGNAL_NAME[$status & 127] // ($status & 127); }
        else { $code = $status >> 8; }
        if ($lvm_request->{phase} eq 'lastlog' && !$stopped) {
            send_frame('ERR', $id, "cinderblock agent: the lvm shell ended before it said why the command failed\n");
            end_lvm_request($lvm_request->{code}, '-');
        } else {
            unless ($stopped) {
                my $how = $signal ne '-' ? "signal $signal" : "exit code $code";
                send_frame('ERR', $id, "cinderblock agent: the lvm shell ended ($how) before it answered\n");
                # It never answered, whatever its status says.
                $code = 1 if $code eq '0';
            }
            end_lvm_request($code, $signal);
        }
    }
    lvm_next();
}

sub run_lvm_timers {
    my ($now) = @_;
    my @expired = grep { defined $_->{deadline} && $now >= $_->{deadline} } @lvm_queue;
    if (@expired) {
        @lvm_queue = grep { !defined $_->{deadline} || $now < $_->{deadline} } @lvm_queue;
        send_bytes("EXIT $_->{id} - - 1\n") for @expired;
    }
    if ($lvm_request && defined $lvm_request->{deadline} && $now >= $lvm_request->{deadline} && !$lvm->{stopping}) {
        $lvm_request->{timed_out} = 1;
        stop_lvm_shell($now);
    }
    if ($lvm && defined $lvm->{kill_at} && $now >= $lvm->{kill_at}) {
        kill 'KILL', -$lvm->{pid};
        $lvm->{kill_at} = undef;
    }
}

# When the lvm timers are next due, and a growing poll for a shell whose fd 3 closed before
# it could be reaped.
sub lvm_due {
    my ($now) = @_;
    my @due = map { $_->{deadline} // () } @lvm_queue;
    push @due, $lvm_request->{deadline} if $lvm_request && defined $lvm_request->{deadline} && !$lvm->{stopping};
    if ($lvm) {
        push @due, $lvm->{kill_at} if defined $lvm->{kill_at};
        if (!$lvm->{report} && !defined $lvm->{status}) {
            if (!defined $lvm->{poll_at} || $now >= $lvm->{poll_at}) {
                $lvm->{poll_at} = $now + $lvm->{poll_ms};
                $lvm->{poll_ms} *= 2 if $lvm->{poll_ms} < 100;
            }
            push @due, $lvm->{poll_at};
        }
    }
    return @due;
}

send_bytes("READY $VERSION" . ($LVM_SHELL ? ' lvm-shell' : '') . "\n");
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
    if ($lvm) {
        vec($read_set, fileno($lvm->{report}), 1) = 1 if $lvm->{report};
        vec($read_set, fileno($lvm->{err}), 1) = 1 if $lvm->{err};
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
    my $shell = $lvm;
    read_requests() if vec($readable, fileno(STDIN), 1);
    if ($shell && $lvm && $shell == $lvm) {
        read_lvm_report() if $lvm->{report} && vec($readable, fileno($lvm->{report}), 1);
        read_lvm_stderr() if $lvm && $lvm->{err} && vec($readable, fileno($lvm->{err}), 1);
    }
    for my $job (@running) {
        forward_output($job, 'out', 'OUT') if $job->{out} && vec($readable, fileno($job->{out}), 1);
        forward_output($job, 'err', 'ERR') if $job->{err} && vec($readable, fileno($job->{err}), 1);
        feed_input($job) if $job->{in} && vec($writable, fileno($job->{in}), 1);
    }
}
