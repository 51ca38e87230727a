package dev.strand.actors.cluster;

import java.util.HashMap;
import java.util.Map;

/**
 * What the {@link DeathProbe} learned about each member's cluster port, and the one rule it acts on: a member whose
 * port accepted a connection before and then refused {@code refusalsNeeded} connections in a row is dead. A refused
 * connection means the member's host answered and nothing listens on the port any more: the process is gone (killed,
 * crashed, exited). A paused process still holds its port (the kernel completes the handshake for it) and an
 * unreachable host does not answer at all, so neither counts: those stay the failure detector's and the split-brain
 * resolver's to decide. "Accepted before" guards against an address peers cannot connect to at all (a NAT'd
 * canonical address), which would otherwise look dead from the start.
 */
final class DeathEvidence {

    enum Outcome { ACCEPTED, REFUSED, NO_ANSWER }

    private record Seen(boolean acceptedOnce, int refusalsInRow) {}

    private final int refusalsNeeded;
    private final Map<String, Seen> byMember = new HashMap<>();

    DeathEvidence(int refusalsNeeded) {
        if (refusalsNeeded < 1) {
            throw new IllegalArgumentException("refusals must be at least 1, not " + refusalsNeeded);
        }
        this.refusalsNeeded = refusalsNeeded;
    }

    /** Records one probe's outcome; true when it makes the member dead by the rule above. */
    boolean record(String member, Outcome outcome) {
        Seen seen = byMember.getOrDefault(member, new Seen(false, 0));
        Seen next = switch (outcome) {
            case ACCEPTED -> new Seen(true, 0);
            case REFUSED -> new Seen(seen.acceptedOnce(), seen.refusalsInRow() + 1);
            // a timeout says nothing either way, and breaks a run of refusals (the host may be going away)
            case NO_ANSWER -> new Seen(seen.acceptedOnce(), 0);
        };
        byMember.put(member, next);
        return next.acceptedOnce() && next.refusalsInRow() == refusalsNeeded;
    }

    void forget(String member) {
        byMember.remove(member);
    }
}
