import { UsersPage } from "../../../features/users";

export default function Page(): React.ReactNode {
  return <UsersPage />;
}
