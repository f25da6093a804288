package io.asyncruntime.internal.blocking;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;

/**
 * Virtual threads (JDK 21+) reached through method handles, so that the core compiles with
 * {@code --release 17} and runs on 17, where {@link #isSupported()} is simply false. Only pool
 * creation goes through the handles: it gets a plain {@link ThreadFactory} from
 * {@code Thread.ofVirtual().name(prefix, 0).factory()}, and every thread after that is made with
 * an ordinary interface call.
 */
public final class VirtualThreads {

    /** {@code Thread.ofVirtual()}, or null before JDK 21. */
    private static final MethodHandle OF_VIRTUAL;
    /** {@code Thread.Builder.OfVirtual.name(String, long)}. */
    private static final MethodHandle NAME;
    /** {@code Thread.Builder.factory()}. */
    private static final MethodHandle FACTORY;

    static {
        MethodHandle ofVirtual = null;
        MethodHandle name = null;
        MethodHandle factory = null;
        try {
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtualBuilder = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtualBuilder));
            name = lookup.findVirtual(ofVirtualBuilder, "name", MethodType.methodType(ofVirtualBuilder, String.class, long.class));
            factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
        } catch (ReflectiveOperationException | LinkageError notOnThisJdk) {
            ofVirtual = null;
        }
        OF_VIRTUAL = ofVirtual;
        NAME = name;
        FACTORY = factory;
    }

    private VirtualThreads() {
    }

    /** Whether this JVM has virtual threads (Java 21 or later). */
    public static boolean isSupported() {
        return OF_VIRTUAL != null;
    }

    /**
     * A factory of unstarted virtual threads named {@code prefix0}, {@code prefix1}, … (safe for
     * concurrent use, as the JDK documents for {@code Thread.Builder.factory()}).
     *
     * @throws UnsupportedOperationException before Java 21
     */
    public static ThreadFactory factory(String prefix) {
        if (OF_VIRTUAL == null) {
            throw new UnsupportedOperationException("virtual threads need Java 21 or later; this JVM is "
                    + Runtime.version());
        }
        try {
            Object builder = NAME.invoke(OF_VIRTUAL.invoke(), prefix, 0L);
            return (ThreadFactory) FACTORY.invoke(builder);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not create a virtual thread factory", e);
        }
    }
}
