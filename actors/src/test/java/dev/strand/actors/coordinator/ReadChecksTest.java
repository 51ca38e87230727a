package dev.strand.actors.coordinator;

import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.ReadLinkReply;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ReadChecksTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AtomicBoolean quiet = new AtomicBoolean(true);
    private final List<Fid> checked = new ArrayList<>();
    private final List<Runnable> running = new ArrayList<>();
    private final ReadChecks checks = new ReadChecks(Duration.ofSeconds(2), quiet::get, (fid, done) -> {
        checked.add(fid);
        running.add(done);
    }, now::get);

    private static Result read(long vnode) {
        Fid fid = new Fid(7, vnode, 1);
        return new Result.Done(new Attr(fid, FileType.FILE, 0644, 0, 1, "u", 0, 0, 1, List.of(1L, 1L)), false);
    }

    @Test
    void aReadStartsACheckOfTheObjectItRead() {
        checks.afterRead(read(5));
        assertThat(checked).containsExactly(new Fid(7, 5, 1));
    }

    @Test
    void oneCheckRunsAtATimeAndAtMostOneStartsPerInterval() {
        checks.afterRead(read(5));
        checks.afterRead(read(6)); // the first still runs
        running.get(0).run();
        checks.afterRead(read(7)); // done, but within the interval
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        checks.afterRead(read(8));
        assertThat(checked).extracting(Fid::vnode).containsExactly(5L, 8L);
    }

    @Test
    void noCheckWhileOperationsAreInFlight() {
        quiet.set(false);
        checks.afterRead(read(5));
        quiet.set(true);
        checks.afterRead(read(6));
        assertThat(checked).extracting(Fid::vnode).containsExactly(6L);
    }

    @Test
    void answersThatNameNoObjectStartNothing() {
        checks.afterRead(new Result.Done(new ReadLinkReply("target"), false));
        checks.afterRead(new Result.Rejected(Status.NOT_FOUND, "no"));
        assertThat(checked).isEmpty();
    }

    @Test
    void aZeroIntervalTurnsChecksOff() {
        ReadChecks off = new ReadChecks(Duration.ZERO, quiet::get, (fid, done) -> checked.add(fid), now::get);
        off.afterRead(read(5));
        assertThat(checked).isEmpty();
    }
}
