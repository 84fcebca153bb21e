using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenBanking.Web.Audit;

namespace OpenBanking.Web.Data.Configurations;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.Property(auditEvent => auditEvent.Action).HasMaxLength(64);
        builder.Property(auditEvent => auditEvent.ActorId).HasMaxLength(450);
        builder.Property(auditEvent => auditEvent.ActorName).HasMaxLength(256);
        builder.Property(auditEvent => auditEvent.SubjectType).HasMaxLength(32);
        builder.Property(auditEvent => auditEvent.SubjectId).HasMaxLength(450);
        builder.Property(auditEvent => auditEvent.ClientId).HasMaxLength(100);
        builder.Property(auditEvent => auditEvent.CorrelationId).HasMaxLength(64);
        builder.Property(auditEvent => auditEvent.IpAddress).HasMaxLength(64);
        builder.HasIndex(auditEvent => auditEvent.OccurredAt);
        builder.HasIndex(auditEvent => new { auditEvent.Action, auditEvent.OccurredAt });
        builder.HasIndex(auditEvent => new { auditEvent.SubjectType, auditEvent.SubjectId });
        builder.HasIndex(auditEvent => auditEvent.ClientId);
    }
}
