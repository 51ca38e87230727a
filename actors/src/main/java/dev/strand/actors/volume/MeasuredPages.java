package dev.strand.actors.volume;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Pages of a list cut so that each page's message, serialized, fits a byte budget: measured exactly (the page's
 * whole message is serialized), but a page at a time rather than an item at a time. The page's count is guessed from
 * the bytes per item measured so far, and corrected when the message does not fit: a page costs a serialization or
 * two, not one per item (thousands of log entries, steps or images in one resolution).
 */
public final class MeasuredPages {

    /** A page fills to this share of the budget when its count is guessed from the bytes per item. */
    private static final double FILL = 0.9;

    private MeasuredPages() {}

    /** The leading items of one page, whether items follow them, and the bytes its message measured. */
    public record Page<T>(List<T> items, boolean more, int bytes) {}

    /**
     * The leading {@code items} whose {@code message} fits {@code budget} bytes as {@code size} measures it; at least
     * one (an item too large alone makes a page of its own, which the caller refuses or sends as it must). Consumes
     * the items it looks at: the caller pages on from its own position, not from the iterator. {@code guess}: how
     * many items the page may hold (1 when nothing is known).
     */
    public static <T> Page<T> first(Iterator<T> items, Function<List<T>, ?> message, ToIntFunction<Object> size,
                                    int budget, int guess) {
        List<T> taken = new ArrayList<>();
        int count = Math.max(1, guess);
        boolean shrunk = false;
        while (true) {
            while (taken.size() < count && items.hasNext()) {
                taken.add(items.next());
            }
            count = Math.min(count, taken.size());
            if (count == 0) {
                return new Page<>(List.of(), false, size.applyAsInt(message.apply(List.of())));
            }
            int bytes = size.applyAsInt(message.apply(taken.subList(0, count)));
            boolean allTaken = count == taken.size() && !items.hasNext();
            if (bytes > budget && count > 1) { // too many: fewer, in proportion
                count = Math.max(1, Math.min(count - 1, (int) (count * FILL * budget / bytes)));
                shrunk = true;
                continue;
            }
            if (bytes <= budget && !shrunk && !allTaken && bytes < FILL * budget) { // room left: more, in proportion
                count = Math.max(count + 1, (int) (count * FILL * budget / Math.max(1, bytes)));
                continue;
            }
            return new Page<>(List.copyOf(taken.subList(0, count)), count < taken.size() || items.hasNext(), bytes);
        }
    }

    /** Every page of {@code items} (as {@link #first}, page after page, each guessed to hold what the last held). */
    public static <T> List<List<T>> all(List<T> items, Function<List<T>, ?> message, ToIntFunction<Object> size,
                                        int budget) {
        List<List<T>> pages = new ArrayList<>();
        int from = 0;
        int guess = 1;
        while (from < items.size()) {
            List<T> page = first(items.subList(from, items.size()).iterator(), message, size, budget, guess).items();
            guess = page.size();
            pages.add(page);
            from += page.size();
        }
        return pages;
    }
}
