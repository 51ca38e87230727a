package dev.strand.volume;

import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.WalkReply;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One directory of 100,000 entries, on the pure model: lookups and pages stay cheap. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeDirectoryTest {

    private static final int ENTRIES = 100_000;

    private final ModelVolume model = new ModelVolume();
    private Fid dir;

    private static String name(int i) {
        return String.format("entry-%06d", i);
    }

    @BeforeAll
    void createAllEntries() {
        dir = model.dir(model.root(), "big").fid();
        // created in a scrambled order, so that READDIR's order is the map's doing
        for (int i = 0; i < ENTRIES; i++) {
            model.file(dir, name((int) ((i * 7919L) % ENTRIES)));
        }
    }

    @Test
    void everyEntryIsThere() {
        assertThat(model.volume.resolve(dir).entries()).hasSize(ENTRIES);
        assertThat(model.volume.files()).isEqualTo(ENTRIES);
    }

    @Test
    void oneEntryIsFoundByName() {
        WalkReply reply = (WalkReply) model.execute(new Walk(model.root(), List.of("big", name(65_432))));

        assertThat(reply.consumed()).isEqualTo(2);
        assertThat(reply.attr().fid().volume()).isEqualTo(ModelVolume.VOLUME_ID);
    }

    @Test
    void pagingThroughReadDirReturnsEveryEntryOnceInOrder() {
        List<String> seen = new ArrayList<>(ENTRIES);
        String after = null;
        int pages = 0;
        boolean eof = false;
        while (!eof) {
            ReadDirReply page = (ReadDirReply) model.execute(
                    new ReadDir(dir, after, ProtocolLimits.MAX_READDIR_ENTRIES, false));
            page.entries().stream().map(DirEntry::name).forEach(seen::add);
            after = seen.get(seen.size() - 1);
            eof = page.eof();
            pages++;
        }

        assertThat(pages).isEqualTo(ENTRIES / ProtocolLimits.MAX_READDIR_ENTRIES);
        assertThat(seen).hasSize(ENTRIES).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void removedEntriesAreGoneAndTheOthersStay() {
        ModelVolume own = new ModelVolume();
        Fid big = own.dir(own.root(), "big").fid();
        for (int i = 0; i < ENTRIES; i++) {
            own.file(big, name(i));
        }

        for (int i = 0; i < ENTRIES; i += 10) {
            own.execute(new Remove(big, name(i)));
        }

        assertThat(own.volume.resolve(big).entries()).hasSize(ENTRIES - ENTRIES / 10);
        assertThatThrownBy(() -> own.execute(new Walk(big, List.of(name(50_000)))))
                .isInstanceOf(NotFoundException.class);
        assertThat(((WalkReply) own.execute(new Walk(big, List.of(name(50_001))))).consumed()).isEqualTo(1);
    }
}
