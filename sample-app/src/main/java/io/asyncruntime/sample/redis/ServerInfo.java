package io.asyncruntime.sample.redis;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeMetrics;

/**
 * The text of {@code INFO}: Redis's sections {@code server}, {@code clients}, {@code stats},
 * {@code keyspace}, plus {@code runtime} with the async runtime's own counters. A section name
 * picks one; {@code default}, {@code all} or {@code everything} give them all; an unknown name
 * gives an empty text, as in Redis.
 */
final class ServerInfo {

    /** Server counters at the moment of the INFO. */
    record Stats(long connectionsAccepted, long connectionsRejected, long connectionsTimedOut,
            long commandsProcessed, int openConnections, long outputLimitDisconnections) {
    }

    private ServerInfo() {
    }

    static String render(String section, RespServer server, AsyncRuntime runtime, Keyspace keyspace,
            long startedNanos, Stats stats) {
        String wanted = section.toLowerCase(Locale.ROOT);
        boolean all = wanted.equals("default") || wanted.equals("all") || wanted.equals("everything");
        StringBuilder text = new StringBuilder(1024);
        if (all || wanted.equals("server")) {
            text.append("# Server\r\n")
                .append("redis_version:").append(ServerCommands.REDIS_VERSION).append("\r\n")
                .append("redis_mode:standalone\r\n")
                .append("server_implementation:async-runtime sample (RESP2)\r\n")
                .append("java_version:").append(System.getProperty("java.version")).append("\r\n")
                .append("tcp_port:").append(server.port()).append("\r\n")
                .append("uptime_in_seconds:")
                .append(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos)).append("\r\n\r\n");
        }
        if (all || wanted.equals("clients")) {
            text.append("# Clients\r\n")
                .append("connected_clients:").append(stats.openConnections()).append("\r\n")
                .append("maxclients:").append(server.settings().maxConnections()).append("\r\n\r\n");
        }
        if (all || wanted.equals("stats")) {
            text.append("# Stats\r\n")
                .append("total_connections_received:").append(stats.connectionsAccepted()).append("\r\n")
                .append("total_commands_processed:").append(stats.commandsProcessed()).append("\r\n")
                .append("rejected_connections:").append(stats.connectionsRejected()).append("\r\n")
                .append("timed_out_connections:").append(stats.connectionsTimedOut()).append("\r\n")
                .append("client_output_buffer_limit_disconnections:").append(stats.outputLimitDisconnections())
                .append("\r\n\r\n");
        }
        if (all || wanted.equals("runtime")) {
            RuntimeMetrics m = runtime.metrics();
            text.append("# Runtime\r\n")
                .append("workers:").append(m.workers()).append("\r\n")
                .append("alive_tasks:").append(m.aliveTasks()).append("\r\n")
                .append("spawned_tasks:").append(m.spawnedTasks()).append("\r\n")
                .append("completed_tasks:").append(m.completedTasks()).append("\r\n")
                .append("polls:").append(m.totalPolls()).append("\r\n")
                .append("steals:").append(m.totalSteals()).append("\r\n")
                .append("parks:").append(m.totalParks()).append("\r\n")
                .append("active_timers:").append(m.activeTimers()).append("\r\n")
                .append("timers_fired:").append(m.timersFired()).append("\r\n")
                .append("io_registrations_open:").append(m.io().openRegistrations()).append("\r\n")
                .append("io_ready_events:").append(m.io().readyEvents()).append("\r\n")
                .append("io_selector_wakeups:").append(m.io().selectorWakeups()).append("\r\n\r\n");
        }
        if (all || wanted.equals("keyspace")) {
            text.append("# Keyspace\r\n");
            long keys = keyspace.size();
            if (keys > 0) {
                text.append("db0:keys=").append(keys).append(",expires=").append(keyspace.countExpiring())
                    .append(",avg_ttl=0\r\n");
            }
        }
        return text.toString();
    }

}
