package dev.strand.volume;

import dev.strand.protocol.message.Fid;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The vnode index answers as a TreeMap by number would, through appends, inserts inside full runs and removals. */
class VnodeIndexTest {

    private static Vnode vnode(long number) {
        return Vnode.newFile(new Fid(1, number, 1), 0644, "owner", 0, VnodeVersion.first(1, 0));
    }

    @Test
    void answersAsASortedMapThroughRandomChanges() {
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            VnodeIndex index = new VnodeIndex();
            TreeMap<Long, Vnode> expected = new TreeMap<>();
            long next = random.nextInt(1000);
            for (int step = 0; step < 5000; step++) {
                int op = random.nextInt(10);
                long number;
                if (op < 4) { // appended, as counters and leased ids are
                    number = next += 1 + random.nextInt(3);
                } else if (op < 7) { // anywhere, below the others too
                    number = random.nextInt(20_000) - 1000;
                } else {
                    number = expected.isEmpty() || random.nextBoolean() ? random.nextInt(20_000)
                            : new ArrayList<>(expected.keySet()).get(random.nextInt(expected.size()));
                    index.remove(number);
                    expected.remove(number);
                    continue;
                }
                Vnode v = vnode(number);
                index.put(v);
                expected.put(number, v);
            }
            assertThat(index.size()).isEqualTo(expected.size());
            for (long n = -1100; n < 21_000; n += 1 + random.nextInt(5)) {
                assertThat(index.get(n)).isSameAs(expected.get(n));
            }
            List<Long> probes = List.of(Long.MIN_VALUE, -1001L, 0L, 57L, 9_999L, 19_999L, next, Long.MAX_VALUE);
            for (long after : probes) {
                long upTo = after == Long.MAX_VALUE ? after : after + random.nextInt(3000);
                List<Vnode> got = new ArrayList<>();
                for (Iterator<Vnode> it = index.between(after, upTo); it.hasNext(); ) {
                    got.add(it.next());
                }
                Map<Long, Vnode> want = after == Long.MAX_VALUE ? Map.of() : expected.subMap(after, false, upTo, true);
                assertThat(got).containsExactlyElementsOf(want.values());
            }
        }
    }
}
