package dev.strand.replication;

/** Where one replica of a storage group stands, as the coordinator sees it (and {@code volume info} shows). */
public enum ReplicaState {
    /** Takes part in every operation and serves reads. */
    CURRENT("current"),
    /** Missed operations the others applied; gets no COP1 and serves nothing until it is caught up. */
    BEHIND("behind"),
    /** Behind, and being brought up to date from a current replica now. */
    CATCHING_UP("catching-up"),
    /** Holds changes no current replica has: copying over it would lose them; resolution's job. */
    DIVERGED("diverged"),
    /** Did not answer. */
    UNAVAILABLE("unavailable");

    private final String label;

    ReplicaState(String label) {
        this.label = label;
    }

    /** The word users see. */
    public String label() {
        return label;
    }
}
