package dev.strand.ops;

/** Stands in for a node process in tests of the cluster commands: runs until killed. */
public final class SleepForever {
    private SleepForever() {}

    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }
}
