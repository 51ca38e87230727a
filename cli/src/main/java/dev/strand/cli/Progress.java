package dev.strand.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.function.LongConsumer;

/** A progress bar on stderr for a long transfer, or nothing. */
public final class Progress implements AutoCloseable {
    private static final Progress NONE = new Progress(null);

    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * A bar for {@code totalBytes} if it is shown: allowed (no --no-progress, no --json), at least
     * {@link StrandCommand#PROGRESS_THRESHOLD} bytes, and a person at a terminal.
     */
    public static Progress start(String task, long totalBytes, boolean allowed) {
        if (!shown(totalBytes, allowed, StrandCommand.interactive())) {
            return NONE;
        }
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(totalBytes)
                .setUnit("MiB", 1L << 20)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
        return new Progress(bar);
    }

    /** The rule for showing a bar, apart from the terminal it needs. */
    public static boolean shown(long totalBytes, boolean allowed, boolean interactive) {
        return allowed && interactive && totalBytes >= StrandCommand.PROGRESS_THRESHOLD;
    }

    /** Told the bytes transferred so far; null when no bar is shown (the client then reports nothing). */
    public LongConsumer listener() {
        return bar == null ? null : bar::stepTo;
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
