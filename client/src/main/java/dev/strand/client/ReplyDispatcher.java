package dev.strand.client;

import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.BadFrameException;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Reply;

/**
 * What the reader threads report: each answer settles its request (or sends it again to learn its outcome), a
 * fetch's DATA goes straight to its sink (so a slow sink slows the reading, and the server feels it through TCP),
 * and the end of a socket goes to the {@link Reconnector}.
 */
final class ReplyDispatcher implements Transport.Events {

    private final RequestTable requests;
    private final OutcomeRetry outcomes;
    private final Reconnector reconnector;

    ReplyDispatcher(RequestTable requests, OutcomeRetry outcomes, Reconnector reconnector) {
        this.requests = requests;
        this.outcomes = outcomes;
        this.reconnector = reconnector;
    }

    @Override
    public void frame(Transport t, Frame frame) {
        switch (frame.type()) {
            case REPLY, ERROR -> {
                PendingRequest p = requests.get(frame.requestId());
                // an answer read from an older socket, for a request already sent again, is left to the new one
                if (p == null || p.generation() != t.generation) {
                    return;
                }
                StrandException error = frame.type() == FrameType.ERROR ? WireCodec.decodeError(frame.body()) : null;
                if (error != null && p.localFailure == null && outcomes.resendToLearnOutcome(p, error, t.generation)) {
                    return;
                }
                Throwable local = p.localFailure;
                if (local != null) {
                    requests.complete(p, null, local);
                } else if (error != null) {
                    requests.complete(p, null, error);
                } else {
                    completeWithReply(p, frame.body());
                }
            }
            case DATA -> {
                PendingRequest p = requests.get(frame.requestId());
                if (p != null && p.generation() == t.generation) {
                    Throwable sinkFailure = p.deliver(frame.body());
                    if (sinkFailure != null) {
                        // the request stays registered until the server's answer frees its slot
                        requests.completeLater(p.future(), null, sinkFailure);
                    }
                }
            }
            default -> {
                // CALLBACK (reserved for sessions) and frames a server should not send are ignored
            }
        }
    }

    @Override
    public void lost(Transport t, Exception cause) {
        reconnector.lost(t, cause);
    }

    private void completeWithReply(PendingRequest p, byte[] body) {
        Reply reply;
        try {
            reply = WireCodec.decode(body, p.opcode.replyType());
        } catch (StrandException e) {
            requests.complete(p, null, e);
            return;
        }
        if (reply instanceof FetchReply fetched && p.sink != null) {
            long thisAttempt = p.received - p.resumedAt;
            if (fetched.bytes() != thisAttempt) {
                requests.complete(p, null, new BadFrameException("fetch announced " + fetched.bytes()
                        + " bytes but " + thisAttempt + " arrived"));
                return;
            }
            reply = new FetchReply(fetched.attr(), p.received); // all the bytes, over every attempt
        }
        requests.complete(p, reply, null);
    }
}
