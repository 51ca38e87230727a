package dev.strand.actors.volume;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class MeasuredPagesTest {

    private static final int BUDGET = 1000;
    private static final int OVERHEAD = 40;

    /** A message's "serialized" size: its items' lengths and a fixed overhead. */
    @SuppressWarnings("unchecked")
    private static int size(Object message) {
        return OVERHEAD + ((List<String>) message).stream().mapToInt(String::length).sum();
    }

    @Test
    void everyPageFitsTheBudgetAndThePagesHoldEveryItemInOrder() {
        Random random = new Random(7);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            items.add("x".repeat(1 + random.nextInt(i % 97 == 0 ? 600 : 40))); // mostly small, now and then large
        }
        AtomicInteger measured = new AtomicInteger();
        List<List<String>> pages = MeasuredPages.all(items, page -> page, m -> {
            measured.incrementAndGet();
            return size(m);
        }, BUDGET);

        assertThat(pages.stream().flatMap(List::stream).toList()).isEqualTo(items);
        assertThat(pages).allSatisfy(page -> assertThat(size(page)).isLessThanOrEqualTo(BUDGET));
        assertThat(pages.stream().mapToInt(List::size).average().orElseThrow()).as("pages are not left mostly empty")
                .isGreaterThan(20.0); // about 45 items of 21 characters on average fit a page
        assertThat(measured.get()).as("far fewer measurements than items").isLessThan(items.size() / 4);
    }

    @Test
    void anItemTooLargeAloneMakesAPageOfItsOwn() {
        List<String> items = List.of("a".repeat(10), "b".repeat(2 * BUDGET), "c".repeat(10));

        List<List<String>> pages = MeasuredPages.all(items, page -> page, MeasuredPagesTest::size, BUDGET);

        assertThat(pages).containsExactly(List.of(items.get(0)), List.of(items.get(1)), List.of(items.get(2)));
    }

    @Test
    void theFirstPageSaysWhetherMoreFollow() {
        List<String> items = List.of("a".repeat(500), "b".repeat(500), "c");

        MeasuredPages.Page<String> first = MeasuredPages.first(items.iterator(), page -> page,
                MeasuredPagesTest::size, BUDGET, 1);
        MeasuredPages.Page<String> last = MeasuredPages.first(items.subList(2, 3).iterator(), page -> page,
                MeasuredPagesTest::size, BUDGET, 5);

        assertThat(first.items()).containsExactly(items.get(0));
        assertThat(first.more()).isTrue();
        assertThat(first.bytes()).isEqualTo(OVERHEAD + 500);
        assertThat(last.items()).containsExactly("c");
        assertThat(last.more()).isFalse();
    }
}
