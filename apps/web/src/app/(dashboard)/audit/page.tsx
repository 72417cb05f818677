import { AuditPage } from "../../../features/audit";

export default function Page(): React.ReactNode {
  return <AuditPage />;
}
